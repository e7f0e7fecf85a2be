namespace Navarch.Cri;

/// <summary>State of a pod sandbox.</summary>
public enum SandboxState
{
    /// <summary>The sandbox runs and its network is set up.</summary>
    Ready,
    /// <summary>The sandbox is stopped (or its infrastructure died); containers can no longer start in it.</summary>
    NotReady,
}

/// <summary>A pod sandbox as a listing shows it.</summary>
public record SandboxInfo
{
    /// <summary>The runtime's id for the sandbox.</summary>
    public required string Id { get; init; }

    /// <summary>The pod's name.</summary>
    public required string Name { get; init; }

    /// <summary>The pod's namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The pod's UID.</summary>
    public required string Uid { get; init; }

    /// <summary>The sandbox's attempt number.</summary>
    public int Attempt { get; init; }

    /// <summary>Whether the sandbox is ready.</summary>
    public SandboxState State { get; init; }

    /// <summary>When the runtime created it.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The sandbox's labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The sandbox's annotations.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}

/// <summary>A pod sandbox with its network status, as <see cref="ICriRuntime.SandboxStatusAsync"/> reports it.</summary>
public sealed record SandboxStatus : SandboxInfo
{
    public SandboxStatus()
    {
    }

    /// <summary>A status that starts from what a listing already says of the sandbox.</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public SandboxStatus(SandboxInfo info) : base(info)
    {
    }

    /// <summary>The pod's primary IP, or empty if the sandbox has none (host network, or not ready).</summary>
    public string Ip { get; init; } = "";

    /// <summary>Further pod IPs (dual stack).</summary>
    public IReadOnlyList<string> AdditionalIps { get; init; } = [];
}
