using System.CommandLine;
using Navarch.Storage;
using Navarch.Storage.Etcd;
using Navarch.Storage.Sqlite;

namespace Navarch.Commands;

/// <summary>The store flags of <c>navarch server</c>: which backend, and each backend's own (upstream's names for etcd's).</summary>
public sealed class StorageFlags
{
    private static readonly SqliteStoreOptions SqliteDefaults = new();
    private static readonly EtcdStoreOptions EtcdDefaults = new();

    public Option<string> Backend { get; } = new("--storage-backend") { Description = $"Where the cluster's state lives: {string.Join(" or ", StoreFactory.Backends)} (several API servers need etcd)", DefaultValueFactory = _ => StoreFactory.Sqlite };

    // SQLite's (in the data directory).
    public Option<double> SqliteCompaction { get; } = new("--compaction-interval-seconds") { Description = "SQLite: how often old store revisions are compacted", DefaultValueFactory = _ => SqliteDefaults.CompactionInterval.TotalSeconds };
    public Option<long> SqliteKeep { get; } = new("--compaction-keep-revisions") { Description = "SQLite: revisions of history kept by compaction", DefaultValueFactory = _ => SqliteDefaults.CompactionKeepRevisions };

    // etcd's.
    public Option<string?> EtcdServers { get; } = new("--etcd-servers") { Description = "etcd: comma-separated client URLs of the members (http:// or https://)" };
    public Option<string?> EtcdCaFile { get; } = new("--etcd-cafile") { Description = "etcd: CA file that signed the members' certificates" };
    public Option<string?> EtcdCertFile { get; } = new("--etcd-certfile") { Description = "etcd: client certificate (PEM)" };
    public Option<string?> EtcdKeyFile { get; } = new("--etcd-keyfile") { Description = "etcd: client key (PEM)" };
    public Option<string> EtcdPrefix { get; } = new("--etcd-prefix") { Description = "etcd: the prefix of every key", DefaultValueFactory = _ => EtcdDefaults.Prefix };
    public Option<double> EtcdCompaction { get; } = new("--etcd-compaction-interval-seconds") { Description = "etcd: how often history older than one interval is compacted (0 = never)", DefaultValueFactory = _ => EtcdDefaults.CompactionInterval.TotalSeconds };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Backend, SqliteCompaction, SqliteKeep, EtcdServers, EtcdCaFile, EtcdCertFile, EtcdKeyFile, EtcdPrefix, EtcdCompaction })
            command.Options.Add(option);
    }

    /// <summary>The settings the flags give; throws <see cref="ArgumentException"/> naming the first bad flag.</summary>
    public StoreSettings Settings(ParseResult result)
    {
        var backend = result.GetValue(Backend)!;
        if (!StoreFactory.Backends.Contains(backend))
            throw new ArgumentException($"--storage-backend: \"{backend}\" is not one of {string.Join(", ", StoreFactory.Backends)}");
        var settings = new StoreSettings
        {
            Backend = backend,
            Sqlite = new SqliteStoreOptions
            {
                CompactionInterval = TimeSpan.FromSeconds(result.GetValue(SqliteCompaction)),
                CompactionKeepRevisions = result.GetValue(SqliteKeep),
            },
        };
        if (backend != StoreFactory.Etcd)
            return settings;
        var servers = result.GetValue(EtcdServers);
        if (string.IsNullOrWhiteSpace(servers))
            throw new ArgumentException("--etcd-servers is required with --storage-backend etcd");
        var endpoints = new List<Uri>();
        foreach (var server in servers.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new ArgumentException($"--etcd-servers: \"{server}\" is not an http:// or https:// URL");
            endpoints.Add(uri);
        }
        var interval = result.GetValue(EtcdCompaction);
        settings.Etcd = new EtcdStoreOptions
        {
            Endpoints = endpoints,
            CaFile = result.GetValue(EtcdCaFile),
            CertFile = result.GetValue(EtcdCertFile),
            KeyFile = result.GetValue(EtcdKeyFile),
            Prefix = result.GetValue(EtcdPrefix)!.TrimEnd('/'),
            CompactionInterval = interval == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(interval),
        };
        try
        {
            settings.Etcd.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.ParamName switch
            {
                nameof(EtcdStoreOptions.Endpoints) => "--etcd-servers",
                nameof(EtcdStoreOptions.CaFile) => "--etcd-cafile",
                nameof(EtcdStoreOptions.CertFile) => "--etcd-certfile/--etcd-keyfile",
                nameof(EtcdStoreOptions.KeyFile) => "--etcd-keyfile",
                nameof(EtcdStoreOptions.Prefix) => "--etcd-prefix",
                nameof(EtcdStoreOptions.CompactionInterval) => "--etcd-compaction-interval-seconds",
                _ => "--etcd-*",
            } + ": " + e.Message.Split(" (Parameter")[0]);
        }
        return settings;
    }
}
