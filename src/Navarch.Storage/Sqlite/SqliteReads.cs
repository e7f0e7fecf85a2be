using Microsoft.Data.Sqlite;

namespace Navarch.Storage.Sqlite;

/// <summary>The queries behind get, list and watch history, each in one snapshot of the database.</summary>
internal sealed class SqliteReads(ReaderPool readers)
{
    public StoreEntry? Get(string key) => readers.InSnapshot(connection =>
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT {KvRows.Columns} FROM kv WHERE name = $name ORDER BY id DESC LIMIT 1";
        cmd.Parameters.AddWithValue("$name", key);
        using var row = cmd.ExecuteReader();
        return row.Read() && row.GetInt64(3) == 0 ? KvRows.ToEntry(row) : null;
    });

    public StoreList List(string prefix, ListOptions options) => readers.InSnapshot(connection =>
    {
        var revision = SqliteSchema.ReadRevision(connection);
        if (options.Revision > 0)
        {
            // Compaction removes only rows superseded at or below the compacted revision, so every row a
            // read at a revision at or above it needs is still there (the same snapshot reads both).
            var compacted = SqliteSchema.ReadMeta(connection, SqliteSchema.CompactRevision);
            if (options.Revision < compacted)
                throw new StorageException(StorageErrorCode.Compacted, prefix,
                    $"The revision {options.Revision} has been compacted (compacted revision {compacted}).");
            revision = options.Revision;
        }
        using var cmd = connection.CreateCommand();
        // The newest row of each key in range up to the revision, skipping keys whose newest row is a deletion.
        cmd.CommandText = $"""
            SELECT {KvRows.Columns} FROM kv JOIN (
                SELECT MAX(id) AS newest FROM kv
                WHERE {KvRows.PrefixCondition} AND ($after IS NULL OR name > $after) AND id <= $revision
                GROUP BY name) ON id = newest
            WHERE deleted = 0
            ORDER BY name
            LIMIT $limit
            """;
        KvRows.BindPrefix(cmd, prefix);
        cmd.Parameters.AddWithValue("$after", (object?)options.After ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$revision", revision);
        cmd.Parameters.AddWithValue("$limit", options.Limit > 0 ? options.Limit + 1L : -1L);
        var entries = new List<StoreEntry>();
        using (var row = cmd.ExecuteReader())
        {
            while (row.Read())
                entries.Add(KvRows.ToEntry(row));
        }
        var hasMore = options.Limit > 0 && entries.Count > options.Limit;
        if (hasMore)
            entries.RemoveAt(entries.Count - 1);
        return new StoreList(entries, revision, hasMore);
    });

    /// <summary>
    /// Up to <paramref name="limit"/> events under <paramref name="prefix"/> in (<paramref name="afterRevision"/>,
    /// <paramref name="upToRevision"/>], with the compacted revision of the same snapshot so the caller can tell
    /// whether rows in that range may already be gone.
    /// </summary>
    public (long Compacted, List<StoreEvent> Events) History(string prefix, long afterRevision, long upToRevision, int limit) =>
        readers.InSnapshot(connection =>
        {
            var compacted = SqliteSchema.ReadMeta(connection, SqliteSchema.CompactRevision);
            var events = new List<StoreEvent>();
            if (afterRevision < compacted)
                return (compacted, events);
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"""
                SELECT {KvRows.Columns} FROM kv
                WHERE id > $after AND id <= $upTo AND {KvRows.PrefixCondition}
                ORDER BY id
                LIMIT $limit
                """;
            cmd.Parameters.AddWithValue("$after", afterRevision);
            cmd.Parameters.AddWithValue("$upTo", upToRevision);
            cmd.Parameters.AddWithValue("$limit", limit);
            KvRows.BindPrefix(cmd, prefix);
            using var row = cmd.ExecuteReader();
            while (row.Read())
                events.Add(KvRows.ToEvent(row));
            return (compacted, events);
        });

    /// <summary>Rows in the kv table, live or history; for tests of compaction.</summary>
    public long CountRows() => readers.InSnapshot(connection => SqliteSchema.Scalar(connection, "SELECT COUNT(*) FROM kv"));
}
