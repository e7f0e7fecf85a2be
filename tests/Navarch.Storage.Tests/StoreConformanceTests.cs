using System.Text;

namespace Navarch.Storage.Tests;

/// <summary>
/// The contract of <see cref="IStore"/>, run against every backend: each backend's test class inherits this
/// one and only says how to open a store.
/// </summary>
[Trait("Category", "Unit")]
public abstract class StoreConformanceTests : IAsyncLifetime
{
    private IStore? _store;

    protected IStore Store => _store ?? throw new InvalidOperationException("The store is not open.");

    /// <summary>Opens an empty store whose watchers may fall <paramref name="watchBufferSize"/> events behind.</summary>
    protected abstract Task<IStore> OpenStoreAsync(int watchBufferSize = 1024);

    public virtual async Task InitializeAsync() => _store = await OpenStoreAsync();

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
            await _store.DisposeAsync();
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(StoreEntry? entry) => entry is null ? "<absent>" : Encoding.UTF8.GetString(entry.Value.Span);

    [Fact]
    public async Task Create_then_get_returns_the_value_at_the_new_revision()
    {
        var before = await Store.GetRevisionAsync(); // 0 on an empty memory or SQLite store; etcd starts at 1
        var revision = await Store.CreateAsync("/registry/pods/default/a", Bytes("v1"));

        var entry = await Store.GetAsync("/registry/pods/default/a");

        Assert.NotNull(entry);
        Assert.Equal("v1", Text(entry));
        Assert.Equal(revision, entry.Revision);
        Assert.Equal(revision, entry.CreateRevision);
        Assert.True(revision > before);
        Assert.Equal(revision, await Store.GetRevisionAsync());
    }

    [Fact]
    public async Task Get_of_an_absent_key_returns_null()
    {
        Assert.Null(await Store.GetAsync("/registry/pods/default/missing"));
    }

    [Fact]
    public async Task Create_of_an_existing_key_throws_Exists_and_changes_nothing()
    {
        var revision = await Store.CreateAsync("/k", Bytes("first"));

        var e = await Assert.ThrowsAsync<StorageException>(async () => await Store.CreateAsync("/k", Bytes("second")));

        Assert.Equal(StorageErrorCode.Exists, e.Code);
        Assert.Equal("/k", e.Key);
        Assert.Equal("first", Text(await Store.GetAsync("/k")));
        Assert.Equal(revision, await Store.GetRevisionAsync());
    }

    public static TheoryData<string, string[]> PrefixCases => new()
    {
        { "/registry/pods/", ["/registry/pods/a", "/registry/pods/b/c"] },
        { "/registry/pods", ["/registry/pods/a", "/registry/pods/b/c", "/registry/podsx"] },
        { "/registry/podsx", ["/registry/podsx"] },
        { "/registry/services/", [] },
        { "", ["/registry/pod", "/registry/pods/a", "/registry/pods/b/c", "/registry/podsx"] },
    };

    [Theory]
    [MemberData(nameof(PrefixCases))]
    public async Task List_returns_exactly_the_keys_under_the_prefix_in_key_order(string prefix, string[] expected)
    {
        foreach (var key in new[] { "/registry/podsx", "/registry/pods/b/c", "/registry/pod", "/registry/pods/a" })
            await Store.CreateAsync(key, Bytes(key));

        var list = await Store.ListAsync(prefix, new ListOptions());

        Assert.Equal(expected, list.Entries.Select(e => e.Key));
        Assert.False(list.HasMore);
        Assert.Equal(await Store.GetRevisionAsync(), list.Revision);
    }

    [Theory]
    [InlineData(1, new[] { "a", "b", "c", "d", "e" })]
    [InlineData(2, new[] { "ab", "cd", "e" })]
    [InlineData(5, new[] { "abcde" })]
    [InlineData(7, new[] { "abcde" })]
    public async Task List_pages_with_limit_and_after_until_HasMore_is_false(int limit, string[] expectedPages)
    {
        foreach (var name in new[] { "c", "a", "e", "b", "d" })
            await Store.CreateAsync($"/p/{name}", Bytes(name));
        await Store.CreateAsync("/q/z", Bytes("other prefix"));

        var pages = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await Store.ListAsync("/p/", new ListOptions(limit, after));
            pages.Add(string.Concat(page.Entries.Select(e => Text(e))));
            if (!page.HasMore)
                break;
            after = page.Entries[^1].Key;
        }

        Assert.Equal(expectedPages, pages);
    }

    [Fact]
    public async Task Pages_read_at_the_first_pages_revision_show_the_prefix_as_it_was_then()
    {
        foreach (var name in new[] { "a", "b", "c" })
            await Store.CreateAsync($"/p/{name}", Bytes($"{name}1"));
        var first = await Store.ListAsync("/p/", new ListOptions(Limit: 1));
        // Between the pages: a new key after the cursor, an update, a deletion, writes under another prefix.
        await Store.CreateAsync("/p/bb", Bytes("bb1"));
        await Store.UpdateAsync("/p/b", Bytes("b2"), 0);
        await Store.DeleteAsync("/p/c", 0);
        await Store.CreateAsync("/q/z", Bytes("z1"));

        var rest = await Store.ListAsync("/p/", new ListOptions(After: first.Entries[^1].Key, Revision: first.Revision));
        var now = await Store.ListAsync("/p/", new ListOptions(After: first.Entries[^1].Key));

        Assert.Equal(["a1"], first.Entries.Select(e => Text(e)));
        Assert.True(first.HasMore);
        Assert.Equal(["b1", "c1"], rest.Entries.Select(e => Text(e)));
        Assert.Equal(first.Revision, rest.Revision);
        Assert.All(rest.Entries, e => Assert.True(e.Revision <= first.Revision, $"{e.Key} is at {e.Revision}"));
        Assert.Equal(["b2", "bb1"], now.Entries.Select(e => Text(e)));
    }

    [Fact]
    public async Task A_list_at_a_revision_below_the_compacted_one_throws_Compacted()
    {
        var r1 = await Store.CreateAsync("/p/a", Bytes("a1"));
        var r2 = await Store.UpdateAsync("/p/a", Bytes("a2"), 0);
        await Store.UpdateAsync("/p/a", Bytes("a3"), 0);
        await Store.CompactAsync(r2);

        var e = await Assert.ThrowsAsync<StorageException>(async () => await Store.ListAsync("/p/", new ListOptions(Revision: r1)));
        var atCompacted = await Store.ListAsync("/p/", new ListOptions(Revision: r2));

        Assert.Equal(StorageErrorCode.Compacted, e.Code);
        Assert.Equal(["a2"], atCompacted.Entries.Select(x => Text(x)));
    }

    [Fact]
    public async Task List_skips_deleted_keys_and_shows_the_newest_value()
    {
        await Store.CreateAsync("/p/a", Bytes("a1"));
        await Store.CreateAsync("/p/b", Bytes("b1"));
        await Store.UpdateAsync("/p/a", Bytes("a2"), 0);
        await Store.DeleteAsync("/p/b", 0);

        var list = await Store.ListAsync("/p/", new ListOptions(Limit: 1));

        Assert.Equal(["a2"], list.Entries.Select(e => Text(e)));
        Assert.False(list.HasMore);
    }

    [Fact]
    public async Task Update_with_the_current_revision_replaces_the_value_and_keeps_the_create_revision()
    {
        var created = await Store.CreateAsync("/k", Bytes("v1"));

        var updated = await Store.UpdateAsync("/k", Bytes("v2"), created);

        var entry = await Store.GetAsync("/k");
        Assert.True(updated > created);
        Assert.Equal(("v2", updated, created), (Text(entry), entry!.Revision, entry.CreateRevision));
    }

    [Fact]
    public async Task Update_with_a_stale_revision_throws_Conflict_and_zero_updates_unconditionally()
    {
        var created = await Store.CreateAsync("/k", Bytes("v1"));
        await Store.UpdateAsync("/k", Bytes("v2"), created);

        var e = await Assert.ThrowsAsync<StorageException>(async () => await Store.UpdateAsync("/k", Bytes("stale"), created));
        var unconditional = await Store.UpdateAsync("/k", Bytes("v3"), 0);

        Assert.Equal(StorageErrorCode.Conflict, e.Code);
        Assert.Equal(("v3", unconditional), (Text(await Store.GetAsync("/k")), (await Store.GetAsync("/k"))!.Revision));
    }

    [Theory]
    [InlineData("never created")]
    [InlineData("deleted")]
    public async Task Update_and_delete_of_an_absent_key_throw_NotFound(string history)
    {
        if (history == "deleted")
        {
            await Store.CreateAsync("/k", Bytes("v1"));
            await Store.DeleteAsync("/k", 0);
        }

        var update = await Assert.ThrowsAsync<StorageException>(async () => await Store.UpdateAsync("/k", Bytes("v"), 0));
        var delete = await Assert.ThrowsAsync<StorageException>(async () => await Store.DeleteAsync("/k", 0));

        Assert.Equal((StorageErrorCode.NotFound, StorageErrorCode.NotFound), (update.Code, delete.Code));
    }

    [Fact]
    public async Task Delete_checks_the_revision_and_a_recreated_key_starts_a_new_incarnation()
    {
        var first = await Store.CreateAsync("/k", Bytes("v1"));
        var updated = await Store.UpdateAsync("/k", Bytes("v2"), first);

        var conflict = await Assert.ThrowsAsync<StorageException>(async () => await Store.DeleteAsync("/k", first));
        var deleted = await Store.DeleteAsync("/k", updated);
        var recreated = await Store.CreateAsync("/k", Bytes("again"));

        Assert.Equal(StorageErrorCode.Conflict, conflict.Code);
        Assert.True(deleted > updated && recreated > deleted);
        var entry = await Store.GetAsync("/k");
        Assert.Equal(("again", recreated, recreated), (Text(entry), entry!.Revision, entry.CreateRevision));
    }

    [Fact]
    public async Task Every_write_gets_a_strictly_greater_revision()
    {
        var revisions = new List<long>
        {
            await Store.CreateAsync("/a", Bytes("1")),
            await Store.CreateAsync("/b", Bytes("1")),
            await Store.UpdateAsync("/a", Bytes("2"), 0),
            await Store.DeleteAsync("/b", 0),
            await Store.CreateAsync("/b", Bytes("2")),
        };

        Assert.Equal(revisions.Order(), revisions);
        Assert.Equal(revisions.Count, revisions.Distinct().Count());
        Assert.True(revisions[0] > 0);
        Assert.Equal(revisions[^1], await Store.GetRevisionAsync());
    }

    [Fact]
    public async Task Watch_from_a_revision_replays_history_then_live_events_without_gaps_or_duplicates()
    {
        var start = await Store.CreateAsync("/w/a", Bytes("a1"));
        var r2 = await Store.UpdateAsync("/w/a", Bytes("a2"), 0);
        var r3 = await Store.CreateAsync("/w/b", Bytes("b1"));
        await using var watch = new WatchProbe(Store, "/w/", start);

        await watch.ExpectAsync($"Updated /w/a=a2@{r2}", "history event 1");
        await watch.ExpectAsync($"Created /w/b=b1@{r3}", "history event 2");
        var r4 = await Store.DeleteAsync("/w/a", 0);
        var r5 = await Store.CreateAsync("/w/c", Bytes("c1"));

        await watch.ExpectAsync($"Deleted /w/a=a2@{r4}", "live delete");
        await watch.ExpectAsync($"Created /w/c=c1@{r5}", "live create, right after the delete");
    }

    [Fact]
    public async Task A_watch_started_amid_concurrent_writes_sees_every_later_revision_once_in_order()
    {
        var writers = Enumerable.Range(0, 20).Select(w => Task.Run(async () =>
        {
            var revisions = new List<long>();
            for (var i = 0; i < 20; i++)
            {
                revisions.Add(await Store.CreateAsync($"/c/{w}/{i}", Bytes("v")));
                await Task.Yield();
            }
            return revisions;
        })).ToList();
        var start = await Store.GetRevisionAsync(); // somewhere in the middle of the writes
        await using var watch = new WatchProbe(Store, "/c/", start);
        var first = watch.NextAsync("the first event after the start revision"); // subscribes while writers run

        var written = (await Task.WhenAll(writers)).SelectMany(r => r).Where(r => r > start).Order().ToList();
        var seen = new List<long>();
        if (written.Count > 0)
            seen.Add((await first).Entry.Revision);
        while (seen.Count < written.Count)
            seen.Add((await watch.NextAsync($"event {seen.Count + 1} of {written.Count}")).Entry.Revision);

        Assert.Equal(written, seen);
    }

    [Fact]
    public async Task Watch_started_after_the_newest_revision_sees_only_later_events_under_its_prefix()
    {
        await Store.CreateAsync("/registry/pods/a", Bytes("old"));
        await using var watch = new WatchProbe(Store, "/registry/pods/", await Store.GetRevisionAsync());
        var first = watch.NextAsync("first live event under /registry/pods/");

        await Store.CreateAsync("/registry/podsx", Bytes("other resource"));
        await Store.CreateAsync("/registry/pod", Bytes("shorter key"));
        var r = await Store.UpdateAsync("/registry/pods/a", Bytes("new"), 0);

        Assert.Equal($"Updated /registry/pods/a=new@{r}", WatchProbe.Describe(await first));
    }

    [Fact]
    public async Task Delete_event_carries_the_last_value_and_create_revision_with_the_deletion_revision()
    {
        var created = await Store.CreateAsync("/k", Bytes("v1"));
        await Store.UpdateAsync("/k", Bytes("last"), 0);
        await using var watch = new WatchProbe(Store, "/k", await Store.GetRevisionAsync());
        var next = watch.NextAsync("the delete event");

        var deleted = await Store.DeleteAsync("/k", 0);

        var e = await next;
        Assert.Equal($"Deleted /k=last@{deleted}", WatchProbe.Describe(e));
        Assert.Equal(created, e.Entry.CreateRevision);
    }

    [Fact]
    public async Task Watch_from_a_compacted_revision_throws_Compacted_on_the_first_MoveNext()
    {
        var r1 = await Store.CreateAsync("/k", Bytes("v1"));
        var r2 = await Store.UpdateAsync("/k", Bytes("v2"), 0);
        var r3 = await Store.UpdateAsync("/k", Bytes("v3"), 0);
        await Store.CompactAsync(r2);

        await using var tooOld = new WatchProbe(Store, "/", r1);
        var e = Assert.IsType<StorageException>(await tooOld.FailureAsync("the Compacted error"));
        await using var justInTime = new WatchProbe(Store, "/", r2);

        Assert.Equal(StorageErrorCode.Compacted, e.Code);
        Assert.Equal(r2, await Store.GetCompactedRevisionAsync());
        await justInTime.ExpectAsync($"Updated /k=v3@{r3}", "the one event after the compacted revision");
    }

    [Fact]
    public async Task Compaction_keeps_every_live_key_and_the_revision()
    {
        await Store.CreateAsync("/p/a", Bytes("a1"));
        await Store.UpdateAsync("/p/a", Bytes("a2"), 0);
        await Store.CreateAsync("/p/b", Bytes("b1"));
        var last = await Store.DeleteAsync("/p/b", 0);

        await Store.CompactAsync(last);

        var list = await Store.ListAsync("/p/", new ListOptions());
        Assert.Equal(["a2"], list.Entries.Select(e => Text(e)));
        Assert.Equal(last, await Store.GetRevisionAsync());
        Assert.True(await Store.CreateAsync("/p/c", Bytes("c1")) > last);
    }

    [Fact]
    public async Task Concurrent_updates_at_the_same_revision_have_exactly_one_winner()
    {
        var revision = await Store.CreateAsync("/k", Bytes("v0"));

        var attempts = Enumerable.Range(1, 20).Select(async i =>
        {
            try
            {
                await Store.UpdateAsync("/k", Bytes($"v{i}"), revision);
                return true;
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Conflict)
            {
                return false;
            }
        }).ToList();
        var won = await Task.WhenAll(attempts);

        Assert.Equal(1, won.Count(w => w));
    }

    [Fact]
    public async Task GuaranteedUpdate_retries_lost_races_so_no_increment_is_lost()
    {
        await Store.CreateAsync("/counter", Bytes("0"));

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Store.GuaranteedUpdateAsync("/counter",
            current => ValueTask.FromResult<byte[]?>(Bytes((int.Parse(Text(current)) + 1).ToString()))).AsTask()));

        Assert.Equal("10", Text(await Store.GetAsync("/counter")));
    }

    [Fact]
    public async Task GuaranteedUpdate_creates_an_absent_key_and_writes_nothing_when_told_no_change()
    {
        var created = await Store.GuaranteedUpdateAsync("/k", current => ValueTask.FromResult<byte[]?>(Bytes(current is null ? "new" : "old")));
        var unchanged = await Store.GuaranteedUpdateAsync("/k", _ => ValueTask.FromResult<byte[]?>(null));

        Assert.Equal(("new", created!.Revision), (Text(created), await Store.GetRevisionAsync()));
        Assert.Equal(created.Revision, unchanged!.Revision);
    }

    [Fact]
    public async Task A_watcher_that_falls_behind_is_ended_with_Unavailable_and_writers_go_on()
    {
        await using var store = await OpenStoreAsync(watchBufferSize: 2);
        await using var slow = new WatchProbe(store, "/", await store.GetRevisionAsync());
        var started = slow.NextAsync("the first event, which subscribes the watcher");
        await store.CreateAsync("/k0", Bytes("0"));
        await started;

        for (var i = 1; i <= 5; i++)
            await store.CreateAsync($"/k{i}", Bytes($"{i}"));

        var e = Assert.IsType<StorageException>(await slow.FailureAsync("the overflow error after the buffered events"));
        Assert.Equal(StorageErrorCode.Unavailable, e.Code);
    }

    [Fact]
    public async Task Cancelling_a_watch_ends_it()
    {
        await using var watch = new WatchProbe(Store, "/", await Store.GetRevisionAsync());
        var next = watch.NextAsync("an event that never comes");

        await watch.Cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }
}
