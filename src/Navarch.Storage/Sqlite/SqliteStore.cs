using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Storage.Watch;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// The embedded <see cref="IStore"/>: one SQLite file, <c>DIR/navarch.db</c>, in WAL mode with
/// synchronous=FULL, holding a log-structured table (one row per revision, see <see cref="SqliteSchema"/>).
/// Writes go through one group-committing writer (<see cref="SqliteWriter"/>); reads run concurrently on
/// their own connections; watches are served from an in-memory fan-out of committed events, falling back
/// to the table for older history. The store must be the database's only writer (one process).
/// Before opening anything for writing, it refuses a missing, empty, truncated or damaged database of a directory
/// that held a cluster (<see cref="StartupCheck"/>); files are created owner-only (<see cref="DataFiles"/>).
/// </summary>
public sealed partial class SqliteStore : IStore, IStoreHealth
{
    private readonly ReaderPool _readers;
    private readonly SqliteReads _reads;
    private readonly SqliteWriter _writer;
    private readonly SqliteCompactor _compactor;
    private readonly WatchHub _hub;
    private readonly SqliteHistory _history;
    private readonly SqliteHealth _health;
    private readonly SemaphoreSlim _probing = new(1, 1);
    private readonly FileStream _ownership;
    private readonly string _directory;
    private int _disposed;

    /// <summary>
    /// Free space the probe wants before it tries: a failed write may leave pages of the WAL allocated, where a probe's
    /// one frame fits even on a full disk while the next object still would not. Room for the largest value a
    /// client may write (etcd's request limit, 1.5 MiB) is what "writes work again" means.
    /// </summary>
    private const long ProbeFreeSpace = 2L << 20;

    private SqliteStore(string directory, FileStream ownership, ReaderPool readers, SqliteWriter writer, SqliteCompactor compactor, WatchHub hub, SqliteHealth health)
    {
        _directory = directory;
        _ownership = ownership;
        _health = health;
        _readers = readers;
        _reads = new SqliteReads(readers);
        _writer = writer;
        _compactor = compactor;
        _hub = hub;
        _history = new SqliteHistory(_reads, () => _compactor.CompactedRevision);
        _compactor.RoundFinished += _health.CompactionFinished;
    }

    /// <summary>
    /// Opens (creating when needed) <c>navarch.db</c> in <paramref name="dataDir"/> and starts the writer and the
    /// background compactor (timed by <paramref name="time"/>, the system clock when null).
    /// Throws <see cref="ArgumentException"/> for invalid options and <see cref="StorageErrorCode.Unavailable"/> when the file cannot be
    /// opened or fails the start checks (the message is then one line naming the file; nothing in the directory was changed).
    /// </summary>
    public static Task<SqliteStore> OpenAsync(string dataDir, SqliteStoreOptions options, TimeProvider? time = null, CancellationToken ct = default) =>
        OpenAsync(dataDir, options, time, null, ct);

    /// <inheritdoc cref="OpenAsync(string, SqliteStoreOptions, TimeProvider?, CancellationToken)"/>
    /// <param name="log">Where failed writes and compactions are logged with their cause (nowhere when null).</param>
    public static Task<SqliteStore> OpenAsync(string dataDir, SqliteStoreOptions options, TimeProvider? time, ILogger? log, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDir);
        options.Validate();
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(SqliteErrors.Translate(Path.Combine(dataDir, SqliteSchema.FileName),
            () => Open(new DataFiles(dataDir), options, time ?? TimeProvider.System, log ?? NullLogger.Instance)));
    }

    private static SqliteStore Open(DataFiles files, SqliteStoreOptions options, TimeProvider time, ILogger log)
    {
        files.CreateDirectory();
        var ownership = TakeOwnership(files);
        SqliteConnection? connection = null;
        try
        {
            var outcome = StartupCheck.Run(files, options.StartupCheckBudget);
            if (outcome == StartupCheck.Outcome.CheckIncomplete)
                LogCheckIncomplete(log, files.Database, options.StartupCheckBudget.TotalSeconds);
            foreach (var open in files.TooOpen())
                LogTooOpen(log, open);
            if (outcome == StartupCheck.Outcome.NewStore)
                files.CreateDatabaseIfMissing();
            var connectionString = SqliteSchema.ConnectionString(files.Directory, options.BusyTimeout);
            connection = new SqliteConnection(connectionString);
            connection.Open();
            SqliteSchema.Configure(connection, options.BusyTimeout);
            SqliteSchema.Initialize(connection);
            files.WriteMarkerIfMissing(time);
            var revision = SqliteSchema.ReadRevision(connection);
            var compacted = SqliteSchema.ReadMeta(connection, SqliteSchema.CompactRevision);
            var removedUpTo = SqliteSchema.ReadMeta(connection, SqliteSchema.CompactDone);
            var health = new SqliteHealth(log, files.Database);
            var hub = new WatchHub(revision, options.WatchHistorySize, options.WatchBufferSize);
            var writer = new SqliteWriter(connection, hub, health, revision, options.MaxBatchSize);
            var compactor = new SqliteCompactor(writer, options, time, compacted, removedUpTo);
            return new SqliteStore(files.Directory, ownership, new ReaderPool(connectionString, options.BusyTimeout), writer, compactor, hub, health);
        }
        catch
        {
            connection?.Dispose();
            ownership.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Locks <c>navarch.db.lock</c> (flock, released when the process dies, also on kill -9): the in-memory
    /// revision counter and watch fan-out are only right while this store is the database's one writer.
    /// </summary>
    private static FileStream TakeOwnership(DataFiles files)
    {
        try
        {
            return DataFiles.Open(files.Lock, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageErrorCode.Unavailable, files.Lock,
                $"Another store has {files.Directory} open ({e.Message}); one process at a time may use it.", e);
        }
    }

    [LoggerMessage(EventId = 10, EventName = "StartupCheckIncomplete", Level = LogLevel.Warning,
        Message = "the integrity check of {Database} did not finish within {Seconds} s; starting with only its header checked")]
    private static partial void LogCheckIncomplete(ILogger log, string database, double seconds);

    [LoggerMessage(EventId = 11, EventName = "FilesTooOpen", Level = LogLevel.Warning,
        Message = "{Path} is open to other users; the store holds Secrets: make the directory 0700 and its files 0600")]
    private static partial void LogTooOpen(ILogger log, string path);

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

    /// <summary>
    /// Failed writes and compaction rounds not yet recovered from. While writes fail, one caller at a time runs a
    /// probe (a one-row update in its own transaction) once the file system has <see cref="ProbeFreeSpace"/> free:
    /// it succeeds once the cause (a full disk, an I/O error) is gone.
    /// </summary>
    public async ValueTask<string?> CheckAsync(CancellationToken ct = default)
    {
        if (_health.WriteProblem is not null && HasRoom() && await _probing.WaitAsync(0, ct).ConfigureAwait(false))
        {
            try
            {
                await _writer.RunExclusiveAsync(Probe, ct).ConfigureAwait(false);
                _health.WriteCommitted();
            }
            catch (StorageException e)
            {
                _health.WriteFailed(e);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            finally
            {
                _probing.Release();
            }
        }
        return _health.Describe();
    }

    private bool HasRoom()
    {
        try
        {
            return new DriveInfo(_directory).AvailableFreeSpace >= ProbeFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return true; // unknown: let the probe write tell
        }
    }

    private static long Probe(SqliteConnection connection)
    {
        SqliteSchema.Execute(connection, $"BEGIN IMMEDIATE; UPDATE meta SET value = value + 1 WHERE name = '{SqliteSchema.HealthProbe}'; COMMIT;");
        return 0;
    }

    /// <summary>Checkpoints the WAL into the database now and truncates it to zero bytes; waits for readers of older
    /// snapshots (holding up writes meanwhile). The background compactor runs a non-blocking checkpoint after each round.</summary>
    public Task CheckpointAsync(CancellationToken ct = default) => _compactor.CheckpointAsync(truncate: true, ct);

    /// <summary>Rows in the table, current and history; what compaction keeps bounded.</summary>
    internal long CountRows() => SqliteErrors.Translate("", _reads.CountRows);

    /// <summary>
    /// Stops the compactor, lets queued writes finish, folds the WAL into the database (so a stopped store leaves
    /// no WAL behind), ends every watch with Unavailable and closes the file.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _compactor.DisposeAsync().ConfigureAwait(false);
        try
        {
            await CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // A full disk, say: the WAL stays and is replayed at the next open; nothing is lost.
        }
        await _writer.DisposeAsync().ConfigureAwait(false);
        _hub.Close(new StorageException(StorageErrorCode.Unavailable, "", "The store is closed."));
        _readers.Dispose();
        _probing.Dispose();
        await _ownership.DisposeAsync().ConfigureAwait(false);
    }
}
