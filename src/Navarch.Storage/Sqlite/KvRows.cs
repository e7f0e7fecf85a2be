using Microsoft.Data.Sqlite;

namespace Navarch.Storage.Sqlite;

/// <summary>How rows of the kv table become entries and events, and how a key prefix becomes an index range.</summary>
internal static class KvRows
{
    /// <summary>The columns <see cref="ToEvent"/> and <see cref="ToEntry"/> read, in order.</summary>
    public const string Columns = "id, name, created, deleted, create_revision, value";

    /// <summary>
    /// Binds <c>$lo</c> and <c>$hi</c> so that <c>name &gt;= $lo AND ($hi IS NULL OR name &lt; $hi)</c> matches
    /// exactly the keys starting with <paramref name="prefix"/> and the index on name serves it.
    /// </summary>
    public static void BindPrefix(SqliteCommand cmd, string prefix)
    {
        cmd.Parameters.AddWithValue("$lo", prefix);
        cmd.Parameters.AddWithValue("$hi", (object?)PrefixEnd(prefix) ?? DBNull.Value);
    }

    public const string PrefixCondition = "name >= $lo AND ($hi IS NULL OR name < $hi)";

    public static StoreEntry ToEntry(SqliteDataReader row) =>
        new(row.GetString(1), (byte[])row.GetValue(5), row.GetInt64(0), row.GetInt64(4));

    public static StoreEvent ToEvent(SqliteDataReader row)
    {
        var type = row.GetInt64(3) != 0 ? StoreEventType.Deleted
            : row.GetInt64(2) != 0 ? StoreEventType.Created
            : StoreEventType.Updated;
        return new StoreEvent(type, ToEntry(row));
    }

    /// <summary>The smallest string greater than every string starting with <paramref name="prefix"/>, or null for no bound.</summary>
    private static string? PrefixEnd(string prefix)
    {
        // Drop trailing characters that cannot be incremented; keys are ASCII paths in practice.
        var end = prefix.TrimEnd(char.MaxValue);
        return end.Length == 0 ? null : end[..^1] + (char)(end[^1] + 1);
    }
}
