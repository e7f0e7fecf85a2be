using Microsoft.Data.Sqlite;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// Removes history: rows superseded by a newer row of their key, and deletions, at or below the compacted
/// revision. Compaction is first recorded (so watches and reads of older revisions fail from then on),
/// then carried out in transactions of <see cref="SqliteStoreOptions.CompactionBatchSize"/> revisions that
/// queue behind writes like any other, so it never holds the writer for long. A background loop compacts
/// to "newest minus <see cref="SqliteStoreOptions.CompactionKeepRevisions"/>" every interval and then
/// checkpoints the WAL, which keeps both files bounded when the same keys are updated forever.
/// </summary>
internal sealed class SqliteCompactor : IAsyncDisposable
{
    private const string RemoveChunk = """
        BEGIN IMMEDIATE;
        DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > $lo AND id <= $hi AND prev_revision > 0);
        DELETE FROM kv WHERE id > $lo AND id <= $hi AND deleted = 1;
        UPDATE meta SET value = $hi WHERE name = 'compact_done';
        COMMIT;
        """;

    private readonly SqliteWriter _writer;
    private readonly SqliteStoreOptions _options;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _background;

    private long _compacted; // read by anyone, written under _oneAtATime
    private long _removedUpTo; // guarded by _oneAtATime: rows at or below it are already removed

    public SqliteCompactor(SqliteWriter writer, SqliteStoreOptions options, TimeProvider time, long compacted, long removedUpTo)
    {
        _writer = writer;
        _options = options;
        _compacted = compacted;
        _removedUpTo = removedUpTo;
        _background = options.CompactionInterval == Timeout.InfiniteTimeSpan
            ? Task.CompletedTask
            : RunBackgroundAsync(new PeriodicTimer(options.CompactionInterval, time));
    }

    /// <summary>Raised after each background round with the compacted revision, or the error that stopped the round.</summary>
    internal event Action<long, Exception?>? RoundFinished;

    public long CompactedRevision => Volatile.Read(ref _compacted);

    /// <summary>Compacts to <paramref name="revision"/> (capped at the newest revision) and removes the rows it frees.</summary>
    public async ValueTask CompactAsync(long revision, CancellationToken ct)
    {
        await _oneAtATime.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            revision = Math.Min(revision, _writer.CommittedRevision);
            if (revision > _compacted)
            {
                await _writer.RunExclusiveAsync(connection => Record(connection, revision), ct).ConfigureAwait(false);
                Volatile.Write(ref _compacted, revision);
            }
            while (_removedUpTo < _compacted)
            {
                var lo = _removedUpTo;
                var hi = Math.Min(_compacted, lo + _options.CompactionBatchSize);
                await _writer.RunExclusiveAsync(connection => Remove(connection, lo, hi), ct).ConfigureAwait(false);
                _removedUpTo = hi;
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// Copies the WAL back into the database. TRUNCATE also empties the WAL file but waits (up to the busy
    /// timeout, holding up writes) for readers of older snapshots; PASSIVE never waits and, with
    /// journal_size_limit, still keeps the file bounded, so the background round uses it.
    /// </summary>
    public Task CheckpointAsync(bool truncate, CancellationToken ct) =>
        _writer.RunExclusiveAsync(connection => SqliteSchema.Scalar(connection,
            truncate ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(PASSIVE)"), ct);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _background.ConfigureAwait(false);
        _stop.Dispose();
        _oneAtATime.Dispose();
    }

    private async Task RunBackgroundAsync(PeriodicTimer timer)
    {
        using var _ = timer;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Exception? error = null;
                try
                {
                    await CompactAsync(_writer.CommittedRevision - _options.CompactionKeepRevisions, _stop.Token).ConfigureAwait(false);
                    await CheckpointAsync(truncate: false, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!_stop.IsCancellationRequested)
                {
                    error = e; // the next round tries again; a failure of any kind must not end the loop unseen
                }
                RoundFinished?.Invoke(CompactedRevision, error);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private static long Record(SqliteConnection connection, long revision)
    {
        SqliteSchema.Execute(connection, "BEGIN IMMEDIATE");
        SqliteSchema.WriteMeta(connection, SqliteSchema.CompactRevision, revision);
        SqliteSchema.Execute(connection, "COMMIT");
        return revision;
    }

    private static long Remove(SqliteConnection connection, long lo, long hi)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = RemoveChunk;
        cmd.Parameters.AddWithValue("$lo", lo);
        cmd.Parameters.AddWithValue("$hi", hi);
        return cmd.ExecuteNonQuery();
    }
}
