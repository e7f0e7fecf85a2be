using Navarch.Cri;

namespace Navarch.Agent.Containerd;

/// <summary>How the agent's own containerd is set up. Paths derive from <see cref="DataDir"/> (see <see cref="ContainerdPaths"/>).</summary>
public sealed record ContainerdOptions
{
    /// <summary>The agent's data directory; containerd's root, state, sockets and config go under <c>DATADIR/containerd</c>.</summary>
    public required string DataDir { get; init; }

    /// <summary>The image pod sandboxes run (the local pause image; must be imported before the first pod).</summary>
    public required string SandboxImage { get; init; }

    /// <summary>Where the CNI plugins are (Debian's containernetworking-plugins).</summary>
    public string CniBinDir { get; init; } = "/usr/lib/cni";

    /// <summary>The CNI config directory containerd watches; null for <c>DATADIR/containerd/cni</c>.</summary>
    public string? CniConfDir { get; init; }

    /// <summary>The snapshotter (<c>overlayfs</c> or <c>native</c>); null to probe whether overlayfs works under the root and fall back to native.</summary>
    public string? Snapshotter { get; init; }

    /// <summary>
    /// The network namespace (a name under /run/netns or an absolute path) containerd runs in; null when the
    /// agent itself already runs in the node's namespace.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The gRPC socket containerd listens on; null for <c>DATADIR/containerd/containerd.sock</c>.</summary>
    public string? Socket { get; init; }

    /// <summary>The containerd binary.</summary>
    public string ContainerdBinary { get; init; } = "containerd";

    /// <summary>containerd's log level (<c>info</c>, <c>debug</c>, …).</summary>
    public string LogLevel { get; init; } = "warn";

    /// <summary>How long a start may take until CRI answers with RuntimeReady.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long containerd gets after SIGTERM before SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First wait before restarting a containerd that died; it doubles per crash up to <see cref="MaxRestartDelay"/>.</summary>
    public TimeSpan InitialRestartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between restarts.</summary>
    public TimeSpan MaxRestartDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where this containerd keeps everything: <see cref="ContainerdPaths.For"/> of these options. Throws <see cref="ArgumentException"/> if a socket path gets too long.</summary>
    public ContainerdPaths Paths() => ContainerdPaths.For(DataDir, Socket, CniConfDir);
}
