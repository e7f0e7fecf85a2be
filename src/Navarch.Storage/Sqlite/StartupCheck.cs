using System.Buffers.Binary;
using Microsoft.Data.Sqlite;

namespace Navarch.Storage.Sqlite;

/// <summary>
/// Checks a data directory before the store opens anything in it for writing, so that a damaged store stops
/// the server instead of starting as an empty cluster. SQLite itself would treat a zero-length database as a
/// new one and delete the WAL beside it (pager.c, pagerOpenWalIfPresent), losing every write since the last
/// checkpoint; a damaged page would surface only later, when compaction or a read reaches it. Every failure
/// is a <see cref="StorageException"/> whose message is one line naming the file and what to do.
/// </summary>
internal static class StartupCheck
{
    // SQLite's file header (https://www.sqlite.org/fileformat2.html#the_database_header).
    private const int HeaderSize = 100;
    private static readonly byte[] Magic = "SQLite format 3\0"u8.ToArray();

    // SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE: the check's read-only connection must never checkpoint or delete the WAL.
    private const int NoCheckpointOnClose = 1010;

    public enum Outcome { NewStore, Checked, CheckIncomplete }

    /// <summary>
    /// Whether <paramref name="files"/> hold no store yet (<see cref="Outcome.NewStore"/>), a store that passed the
    /// checks, or one whose quick_check did not finish within <paramref name="budget"/> (its header was sound).
    /// Throws <see cref="StorageException"/> (Unavailable) when the store is missing, truncated or damaged.
    /// </summary>
    public static Outcome Run(DataFiles files, TimeSpan budget)
    {
        var length = DataFiles.Length(files.Database);
        if (length <= 0)
        {
            var traces = new[] { files.Marker, files.Wal, files.Shm }.Where(File.Exists).Select(Path.GetFileName).ToList();
            if (traces.Count == 0)
                return Outcome.NewStore;
            throw Refuse(files, $"{files.Database} is {(length < 0 ? "missing" : "empty (0 bytes)")} but {files.Directory} held a cluster " +
                $"({string.Join(", ", traces)} present); restore the database from a backup, or move the directory away to start a new cluster");
        }
        CheckHeader(files, length, walHasFrames: DataFiles.Length(files.Wal) > 0);
        return QuickCheck(files, budget) ? Outcome.Checked : Outcome.CheckIncomplete;
    }

    /// <summary>The header must be SQLite's and the file as long as the header says (unless the WAL holds newer pages).</summary>
    private static void CheckHeader(DataFiles files, long length, bool walHasFrames)
    {
        var header = new byte[HeaderSize];
        int read;
        using (var stream = DataFiles.Open(files.Database, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            read = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
        if (read < HeaderSize || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Refuse(files, $"{files.Database} is not a SQLite database (its header is damaged or it is cut short at {length} bytes)");
        var pageSize = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16)) is var p && p == 1 ? 65536 : p;
        if (pageSize < 512 || (pageSize & (pageSize - 1)) != 0)
            throw Refuse(files, $"{files.Database} has a damaged header (page size {pageSize})");
        if (length % pageSize != 0)
            throw Refuse(files, $"{files.Database} is truncated: {length} bytes is not a whole number of {pageSize}-byte pages");
        // The page count in the header is valid when the change counter matches "version-valid-for"; a checkpoint
        // cut short may leave the file shorter than page 1 says, but then the WAL still holds those pages.
        var pages = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(28));
        var valid = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(24)) == BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(92));
        if (!walHasFrames && valid && pages > 0 && length < pages * (long)pageSize)
            throw Refuse(files, $"{files.Database} is truncated: {length} bytes, but its header counts {pages} pages of {pageSize} bytes");
    }

    /// <summary>
    /// Runs <c>PRAGMA quick_check(1)</c> (b-tree structure of every page, stopping at the first error) on a read-only
    /// connection; interrupted after <paramref name="budget"/> so that a huge store still starts in bounded time.
    /// Returns false when the budget ran out first.
    /// </summary>
    private static bool QuickCheck(DataFiles files, TimeSpan budget)
    {
        // Even a read-only connection creates the -wal and -shm files of a WAL database when they are missing;
        // those it made go again, so the directory is left as found.
        var made = new[] { files.Wal, files.Shm }.Where(f => !File.Exists(f)).ToList();
        try
        {
            return QuickCheckReadOnly(files, budget);
        }
        finally
        {
            foreach (var path in made)
                File.Delete(path);
        }
    }

    private static bool QuickCheckReadOnly(DataFiles files, TimeSpan budget)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = files.Database,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
        using var connection = new SqliteConnection(connectionString);
        using var deadline = new CancellationTokenSource();
        try
        {
            connection.Open();
            SQLitePCL.raw.sqlite3_db_config(connection.Handle, NoCheckpointOnClose, 1, out _);
            SqliteSchema.Execute(connection, "PRAGMA busy_timeout = 1000");
            using var interrupt = deadline.Token.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle));
            deadline.CancelAfter(budget);
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA quick_check(1)";
            var result = cmd.ExecuteScalar() as string;
            if (result != "ok")
                throw Refuse(files, $"{files.Database} failed its integrity check: {OneLine(result ?? "no result")}; restore it from a backup");
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_INTERRUPT && deadline.IsCancellationRequested)
        {
            return false;
        }
        catch (SqliteException e)
        {
            throw Refuse(files, $"{files.Database} cannot be read ({OneLine(e.Message)}); restore it from a backup");
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private static StorageException Refuse(DataFiles files, string message) =>
        new(StorageErrorCode.Unavailable, files.Database, message + ". Nothing was changed.");
}
