namespace Navarch.Cri;

/// <summary>State of a container, as CRI defines it.</summary>
public enum ContainerState
{
    /// <summary>Created, never started.</summary>
    Created,
    /// <summary>Running.</summary>
    Running,
    /// <summary>Its process ended (see exit code and reason).</summary>
    Exited,
    /// <summary>The runtime cannot tell.</summary>
    Unknown,
}

/// <summary>A container as a listing shows it.</summary>
public record ContainerInfo
{
    /// <summary>The runtime's id for the container.</summary>
    public required string Id { get; init; }

    /// <summary>The id of the sandbox it belongs to.</summary>
    public required string SandboxId { get; init; }

    /// <summary>The container's name within its pod.</summary>
    public required string Name { get; init; }

    /// <summary>The attempt number it was created with (the restart count).</summary>
    public int Attempt { get; init; }

    /// <summary>Its state.</summary>
    public ContainerState State { get; init; }

    /// <summary>The image as the spec named it.</summary>
    public string Image { get; init; } = "";

    /// <summary>The image's resolved reference (digest or id): the pod status's <c>imageID</c>.</summary>
    public string ImageRef { get; init; } = "";

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The container's labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The container's annotations.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}

/// <summary>A container with its run history, as <see cref="ICriRuntime.ContainerStatusAsync"/> reports it.</summary>
public sealed record ContainerStatus : ContainerInfo
{
    public ContainerStatus()
    {
    }

    /// <summary>A status that starts from what a listing already says of the container.</summary>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public ContainerStatus(ContainerInfo info) : base(info)
    {
    }

    /// <summary>When its process started, or null if it never did.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When its process ended, or null if it has not.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The exit code (meaningful once <see cref="ContainerInfo.State"/> is Exited).</summary>
    public int ExitCode { get; init; }

    /// <summary>Why it is in its state in one word (e.g. <c>Completed</c>, <c>Error</c>, <c>OOMKilled</c>), or empty.</summary>
    public string Reason { get; init; } = "";

    /// <summary>A human-readable detail for <see cref="Reason"/>, or empty.</summary>
    public string Message { get; init; } = "";

    /// <summary>Absolute path of its log file on the node, or empty if it has none.</summary>
    public string LogPath { get; init; } = "";
}

/// <summary>Which containers a listing returns; every set field must match.</summary>
public sealed record ContainerFilter
{
    /// <summary>Only containers of this sandbox, if set.</summary>
    public string? SandboxId { get; init; }

    /// <summary>Only containers in this state, if set.</summary>
    public ContainerState? State { get; init; }

    /// <summary>Only containers carrying all of these labels.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}

/// <summary>What a streaming exec should attach; the runtime answers with a URL to stream it from.</summary>
public sealed record ExecStreamRequest(string ContainerId, IReadOnlyList<string> Command, bool Stdin, bool Stdout, bool Stderr, bool Tty)
{
    /// <summary>Whether this attaches to the container's main process (CRI Attach) rather than running <see cref="Command"/>.</summary>
    public bool IsAttach => Command.Count == 0;
}
