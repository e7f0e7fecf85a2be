using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Navarch.Storage.Watch;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// The only writer of the database: one connection and one loop. Concurrent writes queue on a channel;
/// the loop takes everything queued (up to a batch size) into one transaction, so fifty callers share one
/// fsync instead of waiting for fifty. A caller's task completes only after its batch has committed, and
/// the batch's events are published to the <see cref="WatchHub"/> before that, in revision order.
/// One writer also means SQLite never answers "database is locked" to a write.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly WatchHub _hub;
    private readonly SqliteHealth _health;
    private readonly int _maxBatchSize;
    private readonly Channel<WriterWork> _queue = Channel.CreateUnbounded<WriterWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;

    // Owned by the loop: the last revision handed out, committed or not.
    private long _assigned;
    // Written by the loop after each commit, read by anyone.
    private long _committed;

    // Prepared once, reused for every write (the loop is their only user).
    private readonly SqliteCommand _latest;
    private readonly SqliteCommand _insert;

    public SqliteWriter(SqliteConnection connection, WatchHub hub, SqliteHealth health, long revision, int maxBatchSize)
    {
        _connection = connection;
        _hub = hub;
        _health = health;
        _maxBatchSize = maxBatchSize;
        _assigned = _committed = revision;
        _latest = connection.CreateCommand();
        _latest.CommandText = "SELECT id, deleted, create_revision, value FROM kv WHERE name = $name ORDER BY id DESC LIMIT 1";
        _latest.Parameters.Add("$name", SqliteType.Text);
        _insert = connection.CreateCommand();
        _insert.CommandText = """
            INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value)
            VALUES ($id, $name, $created, $deleted, $create_revision, $prev_revision, $value)
            """;
        foreach (var name in new[] { "$id", "$created", "$deleted", "$create_revision", "$prev_revision" })
            _insert.Parameters.Add(name, SqliteType.Integer);
        _insert.Parameters.Add("$name", SqliteType.Text);
        _insert.Parameters.Add("$value", SqliteType.Blob);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The newest durable revision.</summary>
    public long CommittedRevision => Volatile.Read(ref _committed);

    /// <summary>Queues a write; the task completes with its revision once it is durable, or fails with a <see cref="StorageException"/>.</summary>
    public Task<long> WriteAsync(WriteKind kind, string key, byte[] value, long expectedRevision, CancellationToken ct) =>
        Enqueue(new WriteRequest(kind, key, value, expectedRevision, ct), key);

    /// <summary>Runs <paramref name="job"/> on the writer connection between batches; it must open and close its own transaction.</summary>
    public Task<long> RunExclusiveAsync(Func<SqliteConnection, long> job, CancellationToken ct) =>
        Enqueue(new ExclusiveJob(job, ct), "");

    /// <summary>Stops taking work, finishes what is queued and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _latest.Dispose();
        _insert.Dispose();
        _connection.Dispose();
    }

    private Task<long> Enqueue(WriterWork work, string key)
    {
        if (!_queue.Writer.TryWrite(work))
            return Task.FromException<long>(new StorageException(StorageErrorCode.Unavailable, key, "The store is closed."));
        return work.Done.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteRequest>(_maxBatchSize);
        WriterWork? carried = null; // a job met while filling a batch waits for the batch to commit
        while (carried is not null || await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _maxBatchSize && (carried is not null || _queue.Reader.TryRead(out carried)))
            {
                var work = carried;
                if (work.Ct.IsCancellationRequested)
                {
                    work.Done.TrySetCanceled(work.Ct);
                    carried = null;
                    continue;
                }
                if (work is ExclusiveJob)
                    break;
                batch.Add((WriteRequest)work);
                carried = null;
            }
            if (batch.Count > 0)
            {
                CommitBatch(batch);
                batch.Clear();
            }
            else if (carried is ExclusiveJob job)
            {
                RunJob(job);
                carried = null;
            }
        }
    }

    private void CommitBatch(List<WriteRequest> batch)
    {
        var firstRevision = _assigned;
        var outcomes = new (long Revision, StorageException? Rejected)[batch.Count];
        var events = new List<StoreEvent>(batch.Count);
        try
        {
            SqliteSchema.Execute(_connection, "BEGIN IMMEDIATE");
            for (var i = 0; i < batch.Count; i++)
            {
                try
                {
                    var e = Apply(batch[i]);
                    events.Add(e);
                    outcomes[i] = (e.Entry.Revision, null);
                }
                catch (StorageException rejected) // NotFound, Exists, Conflict: nothing was written for it
                {
                    outcomes[i] = (0, rejected);
                }
            }
            SqliteSchema.Execute(_connection, "COMMIT");
        }
        catch (Exception e)
        {
            _health.WriteFailed(e);
            Recover(firstRevision);
            foreach (var request in batch)
                request.Done.TrySetException(SqliteErrors.ToStorage(e, request.Key)
                    ?? new StorageException(StorageErrorCode.Unavailable, request.Key, $"The SQLite store failed: {e.Message}", e));
            return;
        }
        Volatile.Write(ref _committed, _assigned);
        _health.WriteCommitted();
        _hub.Publish(events);
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Rejected is { } rejected)
                batch[i].Done.TrySetException(rejected);
            else
                batch[i].Done.TrySetResult(outcomes[i].Revision);
        }
    }

    private StoreEvent Apply(WriteRequest request)
    {
        _latest.Parameters["$name"].Value = request.Key;
        long latestId = 0, createRevision = 0;
        var exists = false;
        byte[] lastValue = [];
        using (var row = _latest.ExecuteReader())
        {
            if (row.Read())
            {
                latestId = row.GetInt64(0);
                exists = row.GetInt64(1) == 0;
                createRevision = row.GetInt64(2);
                lastValue = (byte[])row.GetValue(3);
            }
        }
        if (request.Kind == WriteKind.Create)
        {
            if (exists)
                throw new StorageException(StorageErrorCode.Exists, request.Key);
            var revision = Insert(request.Key, StoreEventType.Created, createRevision: _assigned + 1, latestId, request.Value);
            return new StoreEvent(StoreEventType.Created, new StoreEntry(request.Key, request.Value, revision, revision));
        }
        if (!exists)
            throw new StorageException(StorageErrorCode.NotFound, request.Key);
        if (request.ExpectedRevision != 0 && request.ExpectedRevision != latestId)
            throw new StorageException(StorageErrorCode.Conflict, request.Key,
                $"Conflict: {request.Key} is at revision {latestId}, not {request.ExpectedRevision}.");
        var type = request.Kind == WriteKind.Delete ? StoreEventType.Deleted : StoreEventType.Updated;
        var value = type == StoreEventType.Deleted ? lastValue : request.Value; // a deletion row keeps the last value for its event
        var rev = Insert(request.Key, type, createRevision, latestId, value);
        return new StoreEvent(type, new StoreEntry(request.Key, value, rev, createRevision));
    }

    private long Insert(string key, StoreEventType type, long createRevision, long previous, byte[] value)
    {
        var revision = _assigned + 1;
        var p = _insert.Parameters;
        p["$id"].Value = revision;
        p["$name"].Value = key;
        p["$created"].Value = type == StoreEventType.Created ? 1 : 0;
        p["$deleted"].Value = type == StoreEventType.Deleted ? 1 : 0;
        p["$create_revision"].Value = createRevision;
        p["$prev_revision"].Value = previous;
        p["$value"].Value = value;
        _insert.ExecuteNonQuery();
        _assigned = revision;
        return revision;
    }

    private void RunJob(ExclusiveJob job)
    {
        try
        {
            job.Done.TrySetResult(job.Run(_connection));
        }
        catch (Exception e)
        {
            Recover(_assigned);
            job.Done.TrySetException(SqliteErrors.ToStorage(e, "") ?? e);
        }
    }

    /// <summary>
    /// After a failed transaction: roll back if one is open, and take the revision from the database, never
    /// lower than before, so that a revision is neither reused after a commit that did land nor skipped needlessly.
    /// </summary>
    private void Recover(long revisionBefore)
    {
        try
        {
            if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
                SqliteSchema.Execute(_connection, "ROLLBACK");
            _assigned = Math.Max(revisionBefore, SqliteSchema.ReadRevision(_connection));
        }
        catch (Exception)
        {
            // The database is unreachable; keep the highest revision handed out so none is ever reused.
        }
    }
}
