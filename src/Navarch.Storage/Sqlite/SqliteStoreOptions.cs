namespace Navarch.Storage.Sqlite;

/// <summary>Tuning of <see cref="SqliteStore"/>; the defaults suit a cluster of a few hundred nodes.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>Most writes committed in one transaction (one fsync) by the group-commit loop.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Recent events kept in memory so that watchers starting slightly in the past skip the table.</summary>
    public int WatchHistorySize { get; set; } = 4096;

    /// <summary>Live events one watcher may fall behind before it is ended with <see cref="StorageErrorCode.Unavailable"/>.</summary>
    public int WatchBufferSize { get; set; } = 1024;

    /// <summary>How often the background compactor runs (and checkpoints the WAL); <see cref="Timeout.InfiniteTimeSpan"/> turns it off.</summary>
    public TimeSpan CompactionInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The background compactor keeps the history of this many newest revisions (kine keeps 1000 too).</summary>
    public long CompactionKeepRevisions { get; set; } = 1000;

    /// <summary>Revisions examined per compaction transaction, so that compaction never holds the writer for long.</summary>
    public int CompactionBatchSize { get; set; } = 1000;

    /// <summary>How long a reader waits for a lock before failing with Unavailable.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the integrity check at open (<c>PRAGMA quick_check</c>) may run before the store starts with only the
    /// file header checked. It reads every page: a 270 MB store took 1.2–1.4 s here (warm cache, busy machine), so the
    /// default covers about 2 GB.
    /// </summary>
    public TimeSpan StartupCheckBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        Require(MaxBatchSize >= 1, nameof(MaxBatchSize), "must be at least 1");
        Require(WatchHistorySize >= 0, nameof(WatchHistorySize), "must not be negative");
        Require(WatchBufferSize >= 1, nameof(WatchBufferSize), "must be at least 1");
        Require(CompactionInterval > TimeSpan.Zero || CompactionInterval == Timeout.InfiniteTimeSpan,
            nameof(CompactionInterval), "must be positive or Timeout.InfiniteTimeSpan");
        Require(CompactionKeepRevisions >= 0, nameof(CompactionKeepRevisions), "must not be negative");
        Require(CompactionBatchSize >= 1, nameof(CompactionBatchSize), "must be at least 1");
        Require(BusyTimeout >= TimeSpan.Zero, nameof(BusyTimeout), "must not be negative");
        Require(StartupCheckBudget > TimeSpan.Zero, nameof(StartupCheckBudget), "must be positive");
    }

    private static void Require(bool ok, string option, string rule)
    {
        if (!ok)
            throw new ArgumentException($"SqliteStoreOptions.{option} {rule}.", option);
    }
}
