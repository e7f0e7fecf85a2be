using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// Read connections to the WAL database, reused between calls. WAL lets any number of them read while
/// the one writer commits; each read runs in its own snapshot transaction.
/// </summary>
internal sealed class ReaderPool(string connectionString, TimeSpan busyTimeout) : IDisposable
{
    // Idle connections beyond this are closed rather than kept: bursts of reads should not pin file handles.
    private const int MaxIdle = 16;

    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private volatile bool _disposed;

    /// <summary>Runs <paramref name="body"/> inside one read transaction, so every query in it sees the same snapshot.</summary>
    public T InSnapshot<T>(Func<SqliteConnection, T> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = Rent();
        var healthy = false;
        try
        {
            SqliteSchema.Execute(connection, "BEGIN DEFERRED");
            var result = body(connection);
            SqliteSchema.Execute(connection, "COMMIT");
            healthy = true;
            return result;
        }
        finally
        {
            // A failed read may leave its transaction open; such a connection is not worth repairing.
            if (healthy)
                Return(connection);
            else
                connection.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
            connection.Dispose();
    }

    private SqliteConnection Rent()
    {
        if (_idle.TryTake(out var connection))
            return connection;
        connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            SqliteSchema.Configure(connection, busyTimeout);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void Return(SqliteConnection connection)
    {
        if (_disposed || _idle.Count >= MaxIdle)
            connection.Dispose();
        else
            _idle.Add(connection);
    }
}
