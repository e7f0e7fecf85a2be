using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Navarch.Bench;

/// <summary>
/// Baselines written straight against Microsoft.Data.Sqlite with the store's durability (WAL, synchronous=FULL):
/// one commit per insert under a lock, and one writer that commits whatever has queued in one transaction.
/// </summary>
internal sealed class RawSqlite : IAsyncDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly Lock _gate = new();

    public RawSqlite(string dir)
    {
        Directory.CreateDirectory(dir);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "raw.db"), Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
        Execute("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, value BLOB NOT NULL); CREATE UNIQUE INDEX t_name ON t (name, id);");
        _insert = _connection.CreateCommand();
        _insert.CommandText = "INSERT INTO t (name, value) VALUES ($name, $value)";
        _insert.Parameters.Add("$name", SqliteType.Text);
        _insert.Parameters.Add("$value", SqliteType.Blob);
    }

    /// <summary>One insert, one transaction, one fsync; the lock is the only way to share one connection.</summary>
    public Task InsertLockedAsync(string name, byte[] value)
    {
        lock (_gate)
        {
            Execute("BEGIN IMMEDIATE");
            Insert(name, value);
            Execute("COMMIT");
        }
        return Task.CompletedTask;
    }

    /// <summary>A group-commit writer with no store logic around it: the best this machine can do durably.</summary>
    public sealed class Batcher : IAsyncDisposable
    {
        private readonly RawSqlite _raw;
        private readonly Channel<(string Name, byte[] Value, TaskCompletionSource Done)> _queue = Channel.CreateUnbounded<(string, byte[], TaskCompletionSource)>();
        private readonly Task _loop;

        public Batcher(RawSqlite raw)
        {
            _raw = raw;
            _loop = Task.Run(RunAsync);
        }

        public Task InsertAsync(string name, byte[] value)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Writer.TryWrite((name, value, done));
            return done.Task;
        }

        public async ValueTask DisposeAsync()
        {
            _queue.Writer.TryComplete();
            await _loop;
        }

        private async Task RunAsync()
        {
            var batch = new List<TaskCompletionSource>();
            while (await _queue.Reader.WaitToReadAsync())
            {
                _raw.Execute("BEGIN IMMEDIATE");
                while (batch.Count < 1000 && _queue.Reader.TryRead(out var item))
                {
                    _raw.Insert(item.Name, item.Value);
                    batch.Add(item.Done);
                }
                _raw.Execute("COMMIT");
                batch.ForEach(d => d.SetResult());
                batch.Clear();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _insert.Dispose();
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Insert(string name, byte[] value)
    {
        _insert.Parameters["$name"].Value = name;
        _insert.Parameters["$value"].Value = value;
        _insert.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
