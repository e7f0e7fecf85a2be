using Microsoft.Data.Sqlite;
using Navarch.Storage.Watch;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// The embedded <see cref="IStore"/>: one SQLite file, <c>DIR/navarch.db</c>, in WAL mode with
/// synchronous=FULL, holding a log-structured table (one row per revision, see <see cref="SqliteSchema"/>).
/// Writes go through one group-committing writer (<see cref="SqliteWriter"/>); reads run concurrently on
/// their own connections; watches are served from an in-memory fan-out of committed events, falling back
/// to the table for older history. The store must be the database's only writer (one process).
/// </summary>
public sealed class SqliteStore : IStore
{
    private readonly ReaderPool _readers;
    private readonly SqliteReads _reads;
    private readonly SqliteWriter _writer;
    private readonly SqliteCompactor _compactor;
    private readonly WatchHub _hub;
    private readonly SqliteHistory _history;
    private readonly FileStream _ownership;
    private int _disposed;

    private SqliteStore(FileStream ownership, ReaderPool readers, SqliteWriter writer, SqliteCompactor compactor, WatchHub hub)
    {
        _ownership = ownership;
        _readers = readers;
        _reads = new SqliteReads(readers);
        _writer = writer;
        _compactor = compactor;
        _hub = hub;
        _history = new SqliteHistory(_reads, () => _compactor.CompactedRevision);
    }

    /// <summary>
    /// Opens (creating when needed) <c>navarch.db</c> in <paramref name="dataDir"/> and starts the writer and the
    /// background compactor (timed by <paramref name="time"/>, the system clock when null).
    /// Throws <see cref="ArgumentException"/> for invalid options and <see cref="StorageErrorCode.Unavailable"/> when the file cannot be opened.
    /// </summary>
    public static Task<SqliteStore> OpenAsync(string dataDir, SqliteStoreOptions options, TimeProvider? time = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDir);
        options.Validate();
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(SqliteErrors.Translate(Path.Combine(dataDir, SqliteSchema.FileName), () => Open(dataDir, options, time ?? TimeProvider.System)));
    }

    private static SqliteStore Open(string dataDir, SqliteStoreOptions options, TimeProvider time)
    {
        Directory.CreateDirectory(dataDir);
        var ownership = TakeOwnership(dataDir);
        var connectionString = SqliteSchema.ConnectionString(dataDir, options.BusyTimeout);
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            SqliteSchema.Configure(connection, options.BusyTimeout);
            SqliteSchema.Initialize(connection);
            var revision = SqliteSchema.ReadRevision(connection);
            var compacted = SqliteSchema.ReadMeta(connection, SqliteSchema.CompactRevision);
            var removedUpTo = SqliteSchema.ReadMeta(connection, SqliteSchema.CompactDone);
            var hub = new WatchHub(revision, options.WatchHistorySize, options.WatchBufferSize);
            var writer = new SqliteWriter(connection, hub, revision, options.MaxBatchSize);
            var compactor = new SqliteCompactor(writer, options, time, compacted, removedUpTo);
            return new SqliteStore(ownership, new ReaderPool(connectionString, options.BusyTimeout), writer, compactor, hub);
        }
        catch
        {
            connection.Dispose();
            ownership.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Locks <c>navarch.db.lock</c> (flock, released when the process dies, also on kill -9): the in-memory
    /// revision counter and watch fan-out are only right while this store is the database's one writer.
    /// </summary>
    private static FileStream TakeOwnership(string dataDir)
    {
        var path = Path.Combine(dataDir, SqliteSchema.FileName + ".lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageErrorCode.Unavailable, path,
                $"Another store has {dataDir} open ({e.Message}); one process at a time may use it.", e);
        }
    }

    /// <summary>Raised after each background compaction round with the compacted revision, or the error that stopped it.</summary>
    internal event Action<long, Exception?>? CompactionRoundFinished
    {
        add => _compactor.RoundFinished += value;
        remove => _compactor.RoundFinished -= value;
    }

    public ValueTask<long> GetRevisionAsync(CancellationToken ct = default) => ValueTask.FromResult(_writer.CommittedRevision);

    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct = default) => ValueTask.FromResult(_compactor.CompactedRevision);

    public ValueTask<StoreEntry?> GetAsync(string key, CancellationToken ct = default) =>
        ValueTask.FromResult(SqliteErrors.Translate(key, () => _reads.Get(key)));

    public ValueTask<StoreList> ListAsync(string prefix, ListOptions options, CancellationToken ct = default) =>
        ValueTask.FromResult(SqliteErrors.Translate(prefix, () => _reads.List(prefix, options)));

    public ValueTask<long> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default) =>
        new(_writer.WriteAsync(WriteKind.Create, key, value.ToArray(), 0, ct));

    public ValueTask<long> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken ct = default) =>
        new(_writer.WriteAsync(WriteKind.Update, key, value.ToArray(), expectedRevision, ct));

    public ValueTask<long> DeleteAsync(string key, long expectedRevision, CancellationToken ct = default) =>
        new(_writer.WriteAsync(WriteKind.Delete, key, [], expectedRevision, ct));

    public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, CancellationToken ct = default) =>
        _hub.WatchAsync(_history, prefix, afterRevision, ct);

    public ValueTask CompactAsync(long revision, CancellationToken ct = default) => _compactor.CompactAsync(revision, ct);

    /// <summary>Checkpoints the WAL into the database now and truncates it to zero bytes; waits for readers of older
    /// snapshots (holding up writes meanwhile). The background compactor runs a non-blocking checkpoint after each round.</summary>
    public Task CheckpointAsync(CancellationToken ct = default) => _compactor.CheckpointAsync(truncate: true, ct);

    /// <summary>Rows in the table, current and history; what compaction keeps bounded.</summary>
    internal long CountRows() => SqliteErrors.Translate("", _reads.CountRows);

    /// <summary>Stops the compactor, lets queued writes finish, ends every watch with Unavailable and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _compactor.DisposeAsync().ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        _hub.Close(new StorageException(StorageErrorCode.Unavailable, "", "The store is closed."));
        _readers.Dispose();
        await _ownership.DisposeAsync().ConfigureAwait(false);
    }
}
