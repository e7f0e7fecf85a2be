using System.Text;
using Navarch.Storage.Etcd;
using Navarch.Testing;

namespace Navarch.Storage.Tests;

/// <summary>The etcd store on a three-member etcd whose members are killed (SIGKILL) and restarted under it.</summary>
[Trait("Category", "Integration")]
public sealed class EtcdFailureTests : IAsyncLifetime
{
    private EtcdCluster? _etcd;
    private readonly List<EtcdStore> _stores = [];

    private EtcdCluster Etcd => _etcd!;

    public async Task InitializeAsync() => _etcd = await EtcdCluster.StartAsync(members: 3);

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        if (_etcd is not null) await _etcd.DisposeAsync();
    }

    private async Task<EtcdStore> OpenAsync(TimeSpan? requestTimeout = null, IReadOnlyList<Uri>? endpoints = null, string prefix = "/registry")
    {
        var store = await EtcdStore.OpenAsync(new EtcdStoreOptions
        {
            Endpoints = endpoints ?? Etcd.ClientUrls,
            Prefix = prefix,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
            CompactionInterval = Timeout.InfiniteTimeSpan,
        });
        _stores.Add(store);
        return store;
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task A_watch_resumes_across_member_kills_and_sees_every_write_once_in_order()
    {
        var store = await OpenAsync();
        var start = await store.GetRevisionAsync();
        await using var watch = new WatchProbe(store, "/registry/pods/", start);
        var first = watch.NextAsync("the first event");

        // Every member is killed once while writes go on, so the watch's stream (on one of them) breaks at least once.
        for (var member = 0; member < Etcd.Count; member++)
        {
            await Etcd.KillAsync(member);
            for (var i = 0; i < 10; i++)
                await CreateRetryingAsync(store, $"/registry/pods/default/p{member}-{i}");
            await Etcd.RestartAsync(member);
        }

        var written = (await store.ListAsync("/registry/pods/", new ListOptions())).Entries.Select(e => e.Revision).Order().ToList();
        var seen = new List<long> { (await first).Entry.Revision };
        while (seen.Count < written.Count)
            seen.Add((await watch.NextAsync($"event {seen.Count + 1} of {written.Count}")).Entry.Revision);
        Assert.Equal(written, seen);
    }

    /// <summary>A create that lost its member mid-call may or may not have applied: retried until it is acknowledged or found.</summary>
    private static async Task CreateRetryingAsync(IStore store, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.CreateAsync(key, Bytes(key));
                return;
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Exists && attempt > 1)
            {
                return;
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Unavailable && attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }

    [Fact]
    public async Task With_one_member_of_three_down_reads_and_writes_go_on()
    {
        var store = await OpenAsync();
        await Etcd.KillAsync(1);

        for (var i = 0; i < 10; i++)
            await CreateRetryingAsync(store, $"/registry/pods/default/p{i}");

        Assert.Equal(10, (await store.ListAsync("/registry/pods/", new ListOptions())).Entries.Count);
    }

    [Fact]
    public async Task Without_a_quorum_a_write_fails_with_Unavailable_within_the_timeout_and_is_whole_or_absent_afterwards()
    {
        var timeout = TimeSpan.FromSeconds(2);
        var store = await OpenAsync(timeout, endpoints: [Etcd.ClientUrl(0)]);
        await Etcd.KillAsync(1);
        await Etcd.KillAsync(2);

        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<StorageException>(async () => await store.CreateAsync("/registry/pods/default/lost", Bytes("whole")));
        var took = DateTime.UtcNow - started;

        Assert.Equal(StorageErrorCode.Unavailable, e.Code);
        Assert.True(took < timeout + TimeSpan.FromSeconds(1.5), $"the write failed after {took.TotalSeconds:F1}s, timeout {timeout.TotalSeconds}s");
        await Etcd.RestartAsync(1);
        await Etcd.RestartAsync(2);
        var after = await ReadRetryingAsync(store, "/registry/pods/default/lost");
        Assert.True(after is null || Encoding.UTF8.GetString(after.Value.Span) == "whole", "the write left a partial value");
    }

    private static async Task<StoreEntry?> ReadRetryingAsync(IStore store, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.GetAsync(key);
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Unavailable && attempt < 30)
            {
                await Task.Delay(200);
            }
        }
    }

    [Fact]
    public async Task A_reader_waiting_for_a_revision_written_outside_the_prefix_gets_a_Progress_event()
    {
        var store = await OpenAsync();
        var other = await OpenAsync(prefix: "/elsewhere");
        await store.CreateAsync("/registry/pods/default/a", Bytes("a"));
        var watch = store.WatchAsync("/registry/pods/", await store.GetRevisionAsync()).GetAsyncEnumerator();
        var next = watch.MoveNextAsync().AsTask();

        await other.CreateAsync("/registry/x", Bytes("outside the watched prefix"));
        var wanted = await store.GetRevisionAsync(); // a reader now waits for this revision

        Assert.True(await WatchProbe.Within(next, "the progress event"));
        Assert.Equal((StoreEventType.Progress, wanted), (watch.Current.Type, watch.Current.Entry.Revision));
        await watch.DisposeAsync();
    }
}
