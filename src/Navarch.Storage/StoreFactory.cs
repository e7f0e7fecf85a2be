using Microsoft.Extensions.Logging;
using Navarch.Storage.Etcd;
using Navarch.Storage.Sqlite;

namespace Navarch.Storage;

/// <summary>Which backend holds the cluster's state, and each backend's own options (as kine's drivers: one name each).</summary>
public sealed class StoreSettings
{
    /// <summary>One of <see cref="StoreFactory.Backends"/>.</summary>
    public string Backend { get; set; } = StoreFactory.Sqlite;

    /// <summary>Options of the embedded store, which lives in the server's data directory.</summary>
    public SqliteStoreOptions Sqlite { get; set; } = new();

    /// <summary>Options of the etcd store; <see cref="EtcdStoreOptions.Endpoints"/> is required with it.</summary>
    public EtcdStoreOptions Etcd { get; set; } = new();
}

/// <summary>Opens the store <see cref="StoreSettings.Backend"/> names.</summary>
public static class StoreFactory
{
    public const string Sqlite = "sqlite";
    public const string Etcd = "etcd";

    public static IReadOnlyList<string> Backends { get; } = [Sqlite, Etcd];

    /// <summary>Opens the backend; <paramref name="dataDir"/> is where an embedded backend keeps its files (it creates
    /// the directory, 0700, and its files, 0600, itself).
    /// Throws <see cref="ArgumentException"/> for an unknown backend or invalid options, and
    /// <see cref="StorageErrorCode.Unavailable"/> when the backend cannot be reached or opened.</summary>
    public static async Task<IStore> OpenAsync(StoreSettings settings, string dataDir, TimeProvider time, ILoggerFactory? loggers, CancellationToken ct) =>
        settings.Backend switch
        {
            Sqlite => await SqliteStore.OpenAsync(dataDir, settings.Sqlite, time, loggers?.CreateLogger("Navarch.Storage.Sqlite"), ct).ConfigureAwait(false),
            Etcd => await EtcdStore.OpenAsync(settings.Etcd, time, ct).ConfigureAwait(false),
            _ => throw new ArgumentException($"unknown storage backend \"{settings.Backend}\" (one of: {string.Join(", ", Backends)})"),
        };
}
