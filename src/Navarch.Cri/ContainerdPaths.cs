namespace Navarch.Cri;

/// <summary>
/// Where one containerd keeps everything. Each containerd on a machine needs its own root, state, gRPC and
/// ttrpc sockets, opt path and runc root (runc's default state dir is machine-wide; see PLATFORM.md).
/// </summary>
public sealed record ContainerdPaths
{
    /// <summary>Longest unix socket path the kernel accepts (sun_path is 108 bytes with the NUL).</summary>
    public const int MaxSocketPath = 107;

    /// <summary>
    /// Derives the paths from the agent's data directory (<paramref name="socket"/> and <paramref name="cniConfDir"/>
    /// override their defaults below it); throws <see cref="ArgumentException"/> if a socket path gets too long.
    /// </summary>
    public static ContainerdPaths For(string dataDir, string? socket = null, string? cniConfDir = null)
    {
        var baseDir = Path.Combine(Path.GetFullPath(dataDir), "containerd");
        var paths = new ContainerdPaths
        {
            BaseDir = baseDir,
            ConfigFile = Path.Combine(baseDir, "config.toml"),
            LogFile = Path.Combine(baseDir, "containerd.log"),
            Root = Path.Combine(baseDir, "root"),
            State = Path.Combine(baseDir, "state"),
            Socket = socket ?? Path.Combine(baseDir, "containerd.sock"),
            TtrpcSocket = Path.Combine(baseDir, "containerd.sock.ttrpc"),
            OptDir = Path.Combine(baseDir, "opt"),
            RuncRoot = Path.Combine(baseDir, "runc"),
            CniConfDir = cniConfDir ?? Path.Combine(baseDir, "cni"),
        };
        foreach (var path in new[] { paths.Socket, paths.TtrpcSocket })
            if (path.Length > MaxSocketPath)
                throw new ArgumentException($"containerd's socket path \"{path}\" exceeds {MaxSocketPath} bytes: use a shorter data dir or socket", nameof(dataDir));
        return paths;
    }

    /// <summary>DATADIR/containerd.</summary>
    public required string BaseDir { get; init; }

    /// <summary>The TOML config containerd starts with.</summary>
    public required string ConfigFile { get; init; }

    /// <summary>containerd's stdout and stderr.</summary>
    public required string LogFile { get; init; }

    /// <summary>containerd's persistent root (images, snapshots, container metadata).</summary>
    public required string Root { get; init; }

    /// <summary>containerd's state dir (runtime state; pod network namespaces with netns_mounts_under_state_dir).</summary>
    public required string State { get; init; }

    /// <summary>The gRPC (CRI) socket.</summary>
    public required string Socket { get; init; }

    /// <summary>The ttrpc socket shims talk back on.</summary>
    public required string TtrpcSocket { get; init; }

    /// <summary>The <c>io.containerd.internal.v1.opt</c> path.</summary>
    public required string OptDir { get; init; }

    /// <summary>runc's state root for this containerd's containers.</summary>
    public required string RuncRoot { get; init; }

    /// <summary>The CNI config directory containerd watches.</summary>
    public required string CniConfDir { get; init; }
}
