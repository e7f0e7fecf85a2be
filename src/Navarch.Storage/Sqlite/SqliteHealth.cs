using Microsoft.Extensions.Logging;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// The failures the SQLite store has seen and not yet recovered from: the last commit (a full disk, an I/O error)
/// and the last background compaction round (a damaged page, a full disk at checkpoint). Each is logged with its
/// cause when it starts and when it ends; a failing compaction is logged every round, since rows then grow.
/// Thread-safe: the writer loop, the compactor and health checks all report here.
/// </summary>
internal sealed partial class SqliteHealth(ILogger log, string database)
{
    private volatile string? _writes;
    private volatile string? _compaction;

    /// <summary>Why writes fail, or null.</summary>
    public string? WriteProblem => _writes;

    /// <summary>Both problems in one line, or null when there is none.</summary>
    public string? Describe() => (_writes, _compaction) switch
    {
        (null, null) => null,
        ({ } w, null) => w,
        (null, { } c) => c,
        ({ } w, { } c) => $"{w}; {c}",
    };

    public void WriteFailed(Exception cause)
    {
        var problem = $"writes fail: {Cause(cause)}";
        if (Interlocked.Exchange(ref _writes, problem) is null)
            LogWritesFail(database, Cause(cause));
    }

    public void WriteCommitted()
    {
        if (_writes is not null && Interlocked.Exchange(ref _writes, null) is not null)
            LogWritesWork(database);
    }

    public void CompactionFinished(long compacted, Exception? error)
    {
        if (error is not null)
        {
            _compaction = $"compaction stopped at revision {compacted}: {Cause(error)}";
            LogCompactionFailed(database, compacted, Cause(error));
        }
        else if (Interlocked.Exchange(ref _compaction, null) is not null)
        {
            LogCompactionWorks(database, compacted);
        }
    }

    private static string Cause(Exception e) => e.Message.ReplaceLineEndings(" ");

    [LoggerMessage(EventId = 1, EventName = "WritesFail", Level = LogLevel.Error, Message = "writes to {Database} fail: {Cause}")]
    private partial void LogWritesFail(string database, string cause);

    [LoggerMessage(EventId = 2, EventName = "WritesWork", Level = LogLevel.Warning, Message = "writes to {Database} work again")]
    private partial void LogWritesWork(string database);

    [LoggerMessage(EventId = 3, EventName = "CompactionFailed", Level = LogLevel.Error,
        Message = "compaction of {Database} failed, history stays at revision {Compacted} and rows grow: {Cause}")]
    private partial void LogCompactionFailed(string database, long compacted, string cause);

    [LoggerMessage(EventId = 4, EventName = "CompactionWorks", Level = LogLevel.Warning, Message = "compaction of {Database} works again (revision {Compacted})")]
    private partial void LogCompactionWorks(string database, long compacted);
}
