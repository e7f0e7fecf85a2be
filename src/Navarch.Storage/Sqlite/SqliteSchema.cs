using Microsoft.Data.Sqlite;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// The log-structured table, kine style: one row per revision. The newest row of a key is its current
/// value unless it is a deletion; older rows are history until compaction removes them.
/// <code>
/// kv(id = revision, name = key, created, deleted, create_revision, prev_revision = the key's previous row, value)
/// meta(name, value): compact_revision (the logical compaction), compact_done (how far rows are removed),
///                    health_probe (a counter the health probe bumps)
/// </code>
/// AUTOINCREMENT keeps the highest id ever used in sqlite_sequence, so the revision never goes back even
/// when compaction removes the newest row (a deletion).
/// </summary>
internal static class SqliteSchema
{
    public const string FileName = "navarch.db";
    public const string CompactRevision = "compact_revision";
    public const string CompactDone = "compact_done";
    /// <summary>Bumped by the health probe: the smallest write that shows the store can write again.</summary>
    public const string HealthProbe = "health_probe";

    private const string CreateTables = """
        CREATE TABLE IF NOT EXISTS kv (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            created INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            value BLOB NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
        CREATE TABLE IF NOT EXISTS meta (
            name TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta (name, value) VALUES ('compact_revision', 0), ('compact_done', 0), ('health_probe', 0);
        """;

    /// <summary>Connection string for the database in <paramref name="dataDir"/>; our own pools, not the driver's. The file
    /// must exist: the store creates it (with its mode) and SQLite never makes a new database in place of a missing one.</summary>
    public static string ConnectionString(string dataDir, TimeSpan busyTimeout) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(dataDir, FileName),
        Mode = SqliteOpenMode.ReadWrite,
        Cache = SqliteCacheMode.Private,
        Pooling = false,
        DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
    }.ToString();

    /// <summary>Sets the pragmas every connection needs; synchronous=FULL makes each commit durable before it is acknowledged.</summary>
    public static void Configure(SqliteConnection connection, TimeSpan busyTimeout)
    {
        Execute(connection, $"""
            PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds};
            PRAGMA synchronous = FULL;
            PRAGMA foreign_keys = OFF;
            """);
    }

    /// <summary>Puts the database in WAL mode and creates the tables; runs on the writer connection at open.</summary>
    public static void Initialize(SqliteConnection writer)
    {
        Execute(writer, """
            PRAGMA journal_mode = WAL;
            PRAGMA journal_size_limit = 16777216;
            """);
        Execute(writer, CreateTables);
    }

    /// <summary>The highest revision ever committed, including ones whose rows compaction removed.</summary>
    public static long ReadRevision(SqliteConnection connection) =>
        Scalar(connection, """
            SELECT MAX(
                COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kv'), 0),
                COALESCE((SELECT MAX(id) FROM kv), 0),
                (SELECT value FROM meta WHERE name = 'compact_revision'))
            """);

    public static long ReadMeta(SqliteConnection connection, string name)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name);
        return (long)(cmd.ExecuteScalar() ?? 0L);
    }

    public static void WriteMeta(SqliteConnection connection, string name, long value)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "UPDATE meta SET value = $value WHERE name = $name";
        cmd.Parameters.AddWithValue("$name", name);
        cmd.Parameters.AddWithValue("$value", value);
        cmd.ExecuteNonQuery();
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L);
    }
}
