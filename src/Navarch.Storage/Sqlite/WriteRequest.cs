namespace Navarch.Storage.Sqlite;

internal enum WriteKind { Create, Update, Delete }

/// <summary>Work for the single writer: a write that joins the next group commit, or a job that runs alone.</summary>
internal abstract class WriterWork(CancellationToken ct)
{
    public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CancellationToken Ct { get; } = ct;
}

/// <summary>One create, update or delete; <see cref="WriterWork.Done"/> completes with its revision once its batch is durable.</summary>
internal sealed class WriteRequest(WriteKind kind, string key, byte[] value, long expectedRevision, CancellationToken ct)
    : WriterWork(ct)
{
    public WriteKind Kind { get; } = kind;
    public string Key { get; } = key;
    public byte[] Value { get; } = value;
    public long ExpectedRevision { get; } = expectedRevision;
}

/// <summary>A job given the writer connection to itself between batches (compaction, checkpoints); it manages its own transaction.</summary>
internal sealed class ExclusiveJob(Func<Microsoft.Data.Sqlite.SqliteConnection, long> run, CancellationToken ct) : WriterWork(ct)
{
    public Func<Microsoft.Data.Sqlite.SqliteConnection, long> Run { get; } = run;
}
