namespace Navarch.Lab;

/// <summary>How <c>navarch up</c> builds the lab (besides the cluster config).</summary>
public sealed record LabOptions
{
    /// <summary>Where the lab keeps its state file, node and server data, and logs.</summary>
    public string DataDir { get; init; } = "/var/lib/navarch/lab";

    /// <summary>The host's loopback port that forwards to the API server in the master's namespace.</summary>
    public int HostPort { get; init; } = 8080;

    /// <summary>The API server's port on the master's lab address.</summary>
    public int ApiPort { get; init; } = 8080;

    /// <summary>The host's loopback port that forwards to the API server's secure port (what the lab's kubeconfig names).</summary>
    public int HostSecurePort { get; init; } = 6443;

    /// <summary>The API server's secure port in the master's namespace (the server's default, on every address there).</summary>
    public const int ApiSecurePort = 6443;

    /// <summary>Prefix of the lab's namespace names (<c>PREFIX-switch</c>, <c>PREFIX-192-168-0-201</c>).</summary>
    public string NamespacePrefix { get; init; } = "navarch";

    /// <summary>How to run navarch itself: the program and the arguments before the subcommand (e.g. dotnet navarch.dll).</summary>
    public required IReadOnlyList<string> SelfCommand { get; init; }

    /// <summary>Where built images are cached.</summary>
    public string ImageCacheDir { get; init; } = Navarch.Images.ImageBuilder.DefaultCacheDirectory;

    /// <summary>The agents' service proxy mode: the seed's <c>userspace</c> (default) or <c>iptables</c>.</summary>
    public string ProxyMode { get; init; } = "userspace";

    /// <summary>The API servers' store: <c>sqlite</c> or <c>etcd</c>; null chooses sqlite for one master and etcd for several
    /// (which need it). See <see cref="StorageBackendFor"/>.</summary>
    public string? StorageBackend { get; init; }

    /// <summary>The store of a lab with <paramref name="masters"/> masters. Throws <see cref="LabException"/> for sqlite with several.</summary>
    public string StorageBackendFor(int masters) => (StorageBackend, masters) switch
    {
        (null, 1) => "sqlite",
        (null, _) => "etcd",
        ("sqlite", > 1) => throw new LabException($"{masters} masters need --storage-backend etcd: SQLite serves one API server on one machine"),
        (var chosen, _) => chosen,
    };

    /// <summary>How long the whole bring-up may wait for the server, the runtimes and Ready nodes.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The state file's path.</summary>
    public string StateFile => Path.Combine(DataDir, LabState.FileName);
}
