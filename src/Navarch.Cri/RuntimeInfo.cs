namespace Navarch.Cri;

/// <summary>An image the runtime holds.</summary>
public sealed record ImageInfo(string Id, IReadOnlyList<string> RepoTags, IReadOnlyList<string> RepoDigests, ulong Size);

/// <summary>Name and version of the runtime (the node's <c>containerRuntimeVersion</c> is <c>Name://Version</c>).</summary>
public sealed record RuntimeVersion(string Name, string Version, string ApiVersion);

/// <summary>One condition the runtime reports about itself.</summary>
public sealed record RuntimeCondition(string Type, bool Status, string Reason, string Message);

/// <summary>The runtime's health: its conditions, <c>RuntimeReady</c> and <c>NetworkReady</c> among them.</summary>
public sealed record RuntimeHealth(IReadOnlyList<RuntimeCondition> Conditions)
{
    /// <summary>Condition type: the runtime can run containers.</summary>
    public const string RuntimeReadyCondition = "RuntimeReady";

    /// <summary>Condition type: pod networking (CNI) is configured.</summary>
    public const string NetworkReadyCondition = "NetworkReady";

    /// <summary>Whether <c>RuntimeReady</c> is true.</summary>
    public bool RuntimeReady => Is(RuntimeReadyCondition);

    /// <summary>Whether <c>NetworkReady</c> is true.</summary>
    public bool NetworkReady => Is(NetworkReadyCondition);

    private bool Is(string type) => Conditions.Any(c => c.Type == type && c.Status);
}

/// <summary>The outcome of a command run to completion in a container.</summary>
public sealed record ExecResult(int ExitCode, byte[] Stdout, byte[] Stderr);
