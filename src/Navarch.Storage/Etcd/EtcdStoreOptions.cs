namespace Navarch.Storage.Etcd;

/// <summary>How <see cref="EtcdStore"/> reaches etcd and lays out its keys (the server's <c>--etcd-*</c> flags).</summary>
public sealed class EtcdStoreOptions
{
    /// <summary>Client URLs of the members (<c>--etcd-servers</c>), all http or all https; calls are spread over the live ones.</summary>
    public IReadOnlyList<Uri> Endpoints { get; set; } = [];

    /// <summary>PEM file of the CA that signed the members' serving certificates (<c>--etcd-cafile</c>); null trusts the system's CAs.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate and key presented to etcd (<c>--etcd-certfile</c>, <c>--etcd-keyfile</c>); both or neither.</summary>
    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>
    /// Where <see cref="KeyRoot"/> lands in etcd (<c>--etcd-prefix</c>): the store key <c>/registry/pods/a/b</c> is the etcd
    /// key <c>{Prefix}/pods/a/b</c>. Both default to <c>/registry</c>, so etcd holds the keys as upstream's API server lays them out.
    /// </summary>
    public string Prefix { get; set; } = "/registry";

    /// <summary>The root every store key starts with; <see cref="Prefix"/> replaces it in etcd. Empty means any key.</summary>
    public string KeyRoot { get; set; } = "/registry";

    /// <summary>How long one request may take before it fails with Unavailable (e.g. while etcd has no quorum).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events one watcher may fall behind before it is ended with <see cref="StorageErrorCode.Unavailable"/>.</summary>
    public int WatchBufferSize { get; set; } = 1024;

    /// <summary>
    /// How often history is compacted, as upstream's API server does (<c>--etcd-compaction-interval</c>, 5 min): each round
    /// compacts to the revision the previous round saw, so one interval of history is kept. Of several API servers on one etcd
    /// only one compacts per interval. <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan CompactionInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        Require(Endpoints.Count > 0, nameof(Endpoints), "must name at least one etcd server");
        Require(Endpoints.All(e => e.Scheme is "http" or "https"), nameof(Endpoints), "must be http:// or https:// URLs");
        Require(Endpoints.Select(e => e.Scheme).Distinct().Count() == 1, nameof(Endpoints), "must be all http or all https");
        Require((CertFile is null) == (KeyFile is null), nameof(CertFile), "and KeyFile go together");
        Require(Prefix.Length == 0 || (Prefix.StartsWith('/') && !Prefix.EndsWith('/')), nameof(Prefix), "must start with '/' and not end with it");
        Require(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), "must be positive");
        Require(WatchBufferSize >= 1, nameof(WatchBufferSize), "must be at least 1");
        Require(CompactionInterval > TimeSpan.Zero || CompactionInterval == Timeout.InfiniteTimeSpan,
            nameof(CompactionInterval), "must be positive or Timeout.InfiniteTimeSpan");
        foreach (var (file, name) in new[] { (CaFile, nameof(CaFile)), (CertFile, nameof(CertFile)), (KeyFile, nameof(KeyFile)) })
            Require(file is null || File.Exists(file), name, $"names a file that does not exist: {file}");
    }

    private static void Require(bool ok, string option, string rule)
    {
        if (!ok)
            throw new ArgumentException($"EtcdStoreOptions.{option} {rule}.", option);
    }
}
