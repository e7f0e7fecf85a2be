using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Navarch.Storage.Sqlite;
using Navarch.Testing;

namespace Navarch.Storage.Tests;

/// <summary>
/// The SQLite store at open: a damaged or missing database of a directory that held a cluster is refused with one
/// line and the directory left exactly as found; files are created owner-only; failed writes and compactions show in
/// <see cref="IStoreHealth"/> and the log until they work again.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SqliteStartupTests : IDisposable
{
    private const int Keys = 200;
    private static readonly SqliteStoreOptions NoCompaction = new() { CompactionInterval = Timeout.InfiniteTimeSpan };
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Dir(string name) => Path.Combine(_dir.Path, name);

    private static byte[] Value(int i) => Encoding.UTF8.GetBytes($"{{\"n\":{i},\"pad\":\"{new string('x', 200)}\"}}");

    private static async Task WriteKeysAsync(IStore store)
    {
        await Task.WhenAll(Enumerable.Range(0, Keys).Select(i => store.CreateAsync($"/registry/configmaps/default/k{i}", Value(i)).AsTask()));
    }

    /// <summary>A store stopped cleanly after some writes: no WAL, no free pages.</summary>
    private async Task<string> StoppedStoreAsync()
    {
        var dir = Dir("stopped");
        await using (var store = await SqliteStore.OpenAsync(dir, NoCompaction))
            await WriteKeysAsync(store);
        Assert.False(File.Exists(Path.Combine(dir, "navarch.db-wal")), "a cleanly stopped store left its WAL");
        return dir;
    }

    /// <summary>
    /// What kill -9 leaves: the database as of the last checkpoint and a WAL holding the writes since. The writes
    /// after the checkpoint sort after the others, so the middle pages of the database are not in the WAL.
    /// </summary>
    private async Task<string> CrashedStoreAsync()
    {
        var dir = Dir("crashed");
        Directory.CreateDirectory(dir);
        await using var store = await SqliteStore.OpenAsync(Dir("live"), NoCompaction);
        await WriteKeysAsync(store);
        await store.CheckpointAsync();
        for (var i = 0; i < 20; i++)
            await store.CreateAsync($"/registry/zz/{i}", Value(i));
        foreach (var name in new[] { "navarch.db", "navarch.db-wal", DataFiles.MarkerName })
            File.Copy(Path.Combine(Dir("live"), name), Path.Combine(dir, name));
        File.WriteAllBytes(Path.Combine(dir, "navarch.db.lock"), []); // held (flock) by the live store, so not copied
        Assert.True(new FileInfo(Path.Combine(dir, "navarch.db-wal")).Length > 0, "the crash image has no WAL frames");
        return dir;
    }

    private static void Damage(string dir, string damage)
    {
        switch (damage)
        {
            case "empty": StoreDamage.Empty(dir); break;
            case "missing": File.Delete(Path.Combine(dir, "navarch.db")); break;
            case "truncated": StoreDamage.Truncate(dir); break;
            case "damaged page": StoreDamage.DamagePage(dir); break;
            default: throw new ArgumentException(damage);
        }
    }

    private static async Task AssertRefusedAsync(string dir, string expected)
    {
        var before = StoreDamage.Fingerprint(dir);
        var e = await Assert.ThrowsAsync<StorageException>(() => SqliteStore.OpenAsync(dir, NoCompaction));
        Assert.Equal(StorageErrorCode.Unavailable, e.Code);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Equal(before, StoreDamage.Fingerprint(dir));
    }

    [Theory]
    [InlineData("empty", "is empty (0 bytes) but")]
    [InlineData("missing", "is missing but")]
    [InlineData("truncated", "is truncated")]
    [InlineData("damaged page", "failed its integrity check")]
    public async Task A_damaged_store_is_refused_with_one_line_and_left_as_found(string damage, string expected)
    {
        var dir = await StoppedStoreAsync();
        Damage(dir, damage);
        await AssertRefusedAsync(dir, expected);
    }

    [Theory]
    [InlineData("empty", "is empty (0 bytes) but")]
    [InlineData("damaged page", "failed its integrity check")]
    public async Task A_crashed_store_with_a_damaged_database_is_refused_and_its_WAL_kept(string damage, string expected)
    {
        var dir = await CrashedStoreAsync();
        Damage(dir, damage);
        await AssertRefusedAsync(dir, expected);
    }

    [Fact]
    public async Task A_crashed_store_opens_with_every_write_of_its_WAL()
    {
        var dir = await CrashedStoreAsync();
        await using var store = await SqliteStore.OpenAsync(dir, NoCompaction);
        Assert.Equal(Keys, (await store.ListAsync("/registry/configmaps/", new ListOptions())).Entries.Count);
        Assert.Equal(20, (await store.ListAsync("/registry/zz/", new ListOptions())).Entries.Count);
        Assert.Null(await store.CheckAsync());
    }

    [Fact]
    public async Task An_empty_database_without_a_marker_or_WAL_is_a_store_never_initialized_and_starts_new()
    {
        var dir = Dir("fresh");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "navarch.db"), []);
        await using var store = await SqliteStore.OpenAsync(dir, NoCompaction);
        Assert.Equal(1, await store.CreateAsync("/k", Value(1)));
        Assert.True(File.Exists(Path.Combine(dir, DataFiles.MarkerName)));
    }

    [Fact]
    public async Task The_directory_is_created_0700_and_every_file_in_it_0600()
    {
        var dir = Path.Combine(Dir("parent"), "data");
        await using var store = await SqliteStore.OpenAsync(dir, NoCompaction);
        await store.CreateAsync("/k", Value(1));
        Assert.Equal("700", Mode(dir));
        var files = Directory.EnumerateFiles(dir).Select(f => $"{Path.GetFileName(f)} {Mode(f)}").Order().ToList();
        Assert.Equal(["navarch.cluster 600", "navarch.db 600", "navarch.db-shm 600", "navarch.db-wal 600", "navarch.db.lock 600"], files);
    }

    private static string Mode(string path) =>
        OperatingSystem.IsWindows() ? "n/a" : Convert.ToString((int)File.GetUnixFileMode(path), 8);

    /// <summary>Another connection holding the write lock: the store's writes and compactions fail with "database is locked".</summary>
    private static SqliteConnection HoldWriteLock(string dir)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(dir, "navarch.db"), Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "BEGIN IMMEDIATE";
        cmd.ExecuteNonQuery();
        return connection;
    }

    [Fact]
    public async Task A_failed_compaction_is_reported_and_logged_with_its_cause_until_a_round_works()
    {
        var time = new FakeTimeProvider();
        var log = new RecordingLogger();
        var dir = Dir("compaction");
        await using var store = await SqliteStore.OpenAsync(dir, new SqliteStoreOptions
        {
            CompactionInterval = TimeSpan.FromMinutes(1),
            CompactionKeepRevisions = 0,
            BusyTimeout = TimeSpan.FromMilliseconds(50),
        }, time, log);
        await store.CreateAsync("/k", Value(0));
        await store.UpdateAsync("/k", Value(1), 0);

        using (HoldWriteLock(dir))
        {
            var failed = NextRound(store);
            time.Advance(TimeSpan.FromMinutes(1));
            Assert.NotNull((await WatchProbe.Within(failed, "the compaction round under a held lock")).Error);
            Assert.Contains("compaction stopped at revision 0", await store.CheckAsync());
            Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("compaction") && e.Message.Contains("database is locked"));
        }

        var worked = NextRound(store);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null((await WatchProbe.Within(worked, "the compaction round after the lock went")).Error);
        Assert.Null(await store.CheckAsync());
        Assert.Equal(1, store.CountRows());
    }

    private static Task<(long Revision, Exception? Error)> NextRound(SqliteStore store)
    {
        var round = new TaskCompletionSource<(long, Exception?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(long revision, Exception? error)
        {
            store.CompactionRoundFinished -= Handler;
            round.TrySetResult((revision, error));
        }
        store.CompactionRoundFinished += Handler;
        return round.Task;
    }

    [Fact]
    public async Task Failed_writes_are_reported_until_a_probe_write_works_again()
    {
        var log = new RecordingLogger();
        var dir = Dir("writes");
        await using var store = await SqliteStore.OpenAsync(dir, new SqliteStoreOptions
        {
            CompactionInterval = Timeout.InfiniteTimeSpan,
            BusyTimeout = TimeSpan.FromMilliseconds(50),
        }, null, log);
        await store.CreateAsync("/a", Value(0));

        using (HoldWriteLock(dir))
        {
            var refused = await Assert.ThrowsAsync<StorageException>(() => store.CreateAsync("/b", Value(1)).AsTask());
            Assert.Equal(StorageErrorCode.Unavailable, refused.Code);
            Assert.Contains("writes fail", await store.CheckAsync()); // its probe fails too while the lock is held
            Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("database is locked"));
        }

        Assert.Null(await store.CheckAsync()); // the probe write works: healthy without any client write
        Assert.Contains(log.Entries, e => e.Message.Contains("work again"));
        Assert.True(await store.CreateAsync("/b", Value(1)) > 0);
    }

    private sealed class RecordingLogger : ILogger
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries { get { lock (_entries) return [.. _entries]; } }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries) _entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
