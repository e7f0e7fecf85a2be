using Microsoft.Extensions.Time.Testing;
using Navarch.Storage.Sqlite;

namespace Navarch.Storage.Tests;

[Trait("Category", "Unit")]
public sealed class SqliteStoreTests : StoreConformanceTests
{
    private readonly TempDir _dir = new();
    private readonly List<SqliteStore> _opened = [];

    protected override async Task<IStore> OpenStoreAsync(int watchBufferSize = 1024) =>
        await OpenAsync(new SqliteStoreOptions { WatchBufferSize = watchBufferSize }, Path.Combine(_dir.Path, $"store{_opened.Count}"));

    private async Task<SqliteStore> OpenAsync(SqliteStoreOptions options, string? dir = null, TimeProvider? time = null)
    {
        var store = await SqliteStore.OpenAsync(dir ?? Path.Combine(_dir.Path, "db"), options, time, CancellationToken.None);
        _opened.Add(store);
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _opened)
            await store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Reopening_keeps_the_data_and_the_revision_even_when_compaction_removed_the_newest_row()
    {
        var options = new SqliteStoreOptions();
        var store = await OpenAsync(options);
        await store.CreateAsync("/keep", Bytes("kept"));
        await store.CreateAsync("/gone", Bytes("x"));
        var last = await store.DeleteAsync("/gone", 0);
        await store.CompactAsync(last);
        await store.DisposeAsync();

        var reopened = await OpenAsync(options);

        Assert.Equal("kept", Text(await reopened.GetAsync("/keep")));
        Assert.Null(await reopened.GetAsync("/gone"));
        Assert.Equal((last, last), (await reopened.GetRevisionAsync(), await reopened.GetCompactedRevisionAsync()));
        Assert.Equal(last + 1, await reopened.CreateAsync("/next", Bytes("n")));
    }

    [Fact]
    public async Task Fifty_concurrent_creators_are_all_acknowledged_with_distinct_revisions_and_durable()
    {
        var options = new SqliteStoreOptions();
        var store = await OpenAsync(options);

        var revisions = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => Task.Run(async () => await store.CreateAsync($"/registry/pods/default/p{i:D2}", Bytes($"{i}")))));
        await store.DisposeAsync();
        var reopened = await OpenAsync(options);

        Assert.Equal(50, revisions.Distinct().Count());
        var list = await reopened.ListAsync("/registry/pods/", new ListOptions());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i}"), list.Entries.Select(e => Text(e)));
        Assert.Equal(revisions.Max(), list.Revision);
    }

    [Fact]
    public async Task Compaction_bounds_the_rows_to_the_live_keys_under_heartbeat_churn()
    {
        var store = await OpenAsync(new SqliteStoreOptions { CompactionBatchSize = 1000 });
        for (var k = 0; k < 10; k++)
            await store.CreateAsync($"/registry/leases/node{k}", Bytes("0"));

        // 50 writers, 400 rounds each, over 10 keys: 20,000 updates.
        await Task.WhenAll(Enumerable.Range(0, 50).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 400; i++)
                await store.UpdateAsync($"/registry/leases/node{w % 10}", Bytes($"{w}:{i}"), 0);
        })));
        var rowsBefore = store.CountRows();
        await store.CompactAsync(await store.GetRevisionAsync());

        await store.CheckpointAsync();

        Assert.Equal(20_010, rowsBefore);
        Assert.Equal(10, store.CountRows());
        Assert.Equal(0, new FileInfo(Path.Combine(_dir.Path, "db", "navarch.db-wal")).Length);
        Assert.Equal(10, (await store.ListAsync("/registry/leases/", new ListOptions())).Entries.Count);
    }

    [Fact]
    public async Task The_background_compactor_keeps_only_the_newest_revisions_each_interval()
    {
        var time = new FakeTimeProvider();
        var store = await OpenAsync(new SqliteStoreOptions { CompactionInterval = TimeSpan.FromMinutes(1), CompactionKeepRevisions = 5 }, time: time);
        var round = new TaskCompletionSource<(long, Exception?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.CompactionRoundFinished += (revision, error) => round.TrySetResult((revision, error));
        await store.CreateAsync("/k", Bytes("0"));
        for (var i = 1; i < 20; i++)
            await store.UpdateAsync("/k", Bytes($"{i}"), 0);

        time.Advance(TimeSpan.FromMinutes(1));
        var (compacted, error) = await WatchProbe.Within(round.Task, "the first background compaction round");

        Assert.Null(error);
        Assert.Equal(15, compacted);
        Assert.Equal(6, store.CountRows()); // revisions 15..20: the row current at 15 and the five after it
    }

    [Fact]
    public async Task A_watch_older_than_the_in_memory_ring_reads_its_history_from_the_table()
    {
        var store = await OpenAsync(new SqliteStoreOptions { WatchHistorySize = 2 });
        await store.CreateAsync("/x/other", Bytes("not watched"));
        var start = await store.CreateAsync("/w/a", Bytes("0"));
        for (var i = 1; i <= 600; i++) // more than one page of table history
            await store.UpdateAsync(i % 2 == 0 ? "/w/a" : "/x/other", Bytes($"{i}"), 0);
        await store.CreateAsync("/w/b", Bytes("b"));
        await using var watch = new WatchProbe(store, "/w/", start);

        for (var i = 2; i <= 600; i += 2)
            await watch.ExpectAsync($"Updated /w/a={i}@{start + i}", $"history update {i} of /w/a");
        await watch.ExpectAsync($"Created /w/b=b@{start + 601}", "the last history event");
        var live = await store.UpdateAsync("/w/b", Bytes("live"), 0);
        await watch.ExpectAsync($"Updated /w/b=live@{live}", "the first live event after the table history");
    }

    [Fact]
    public async Task A_second_store_on_the_same_directory_is_refused_with_Unavailable()
    {
        await OpenAsync(new SqliteStoreOptions());

        var e = await Assert.ThrowsAsync<StorageException>(() => OpenAsync(new SqliteStoreOptions()));

        Assert.Equal(StorageErrorCode.Unavailable, e.Code);
    }

    [Fact]
    public async Task Invalid_options_are_rejected_naming_the_option()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            SqliteStore.OpenAsync(_dir.Path, new SqliteStoreOptions { WatchBufferSize = 0 }, null, CancellationToken.None));

        Assert.Contains("SqliteStoreOptions.WatchBufferSize", e.Message);
    }
}
