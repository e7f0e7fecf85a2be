using System.Text;
using dotnet_etcd;
using Microsoft.Extensions.Time.Testing;
using Navarch.Storage.Etcd;
using Navarch.Testing;

namespace Navarch.Storage.Tests;

/// <summary>Scheduled compaction as upstream's API server does it, with two stores (API servers) on one etcd and a fake clock.</summary>
[Trait("Category", "Integration")]
public sealed class EtcdCompactionTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _time = new();
    private EtcdCluster? _etcd;
    private readonly List<EtcdStore> _stores = [];

    public async Task InitializeAsync() => _etcd = await EtcdCluster.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        if (_etcd is not null) await _etcd.DisposeAsync();
    }

    [Fact]
    public async Task Each_interval_one_of_two_servers_compacts_to_what_the_previous_round_saw_keeping_one_interval_of_history()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        for (var i = 0; i < 5; i++) await a.CreateAsync($"/registry/pods/default/old{i}", Encoding.UTF8.GetBytes("v"));
        var beforeRound1 = await a.GetRevisionAsync();

        await RoundAsync("round 1 (nothing observed yet: no compaction)");
        var afterRound1 = await a.GetRevisionAsync();
        Assert.Equal(0, await a.GetCompactedRevisionAsync());
        var recent = await b.CreateAsync("/registry/pods/default/recent", Encoding.UTF8.GetBytes("v"));
        await RoundAsync("round 2 (compacts to round 1's revision)");

        var compacted = await b.GetCompactedRevisionAsync();
        Assert.InRange(compacted, beforeRound1, afterRound1);
        Assert.Equal(2, await CompactKeyVersionAsync()); // one bump per round: only one server compacted each time
        await using var tooOld = new WatchProbe(a, "/registry/pods/", beforeRound1 - 1);
        Assert.Equal(StorageErrorCode.Compacted, Assert.IsType<StorageException>(await tooOld.FailureAsync("Compacted")).Code);
        await using var kept = new WatchProbe(a, "/registry/pods/", compacted);
        Assert.Equal(recent, (await kept.NextAsync("the write after round 1, still in history")).Entry.Revision);
    }

    private async Task<EtcdStore> OpenAsync()
    {
        var store = await EtcdStore.OpenAsync(new EtcdStoreOptions { Endpoints = _etcd!.ClientUrls, CompactionInterval = Interval }, _time);
        _stores.Add(store);
        return store;
    }

    /// <summary>Moves the clock one interval and waits until every store finished its round.</summary>
    private async Task RoundAsync(string phase)
    {
        var rounds = _stores.Select(s =>
        {
            var done = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            s.CompactionRoundFinished += e => done.TrySetResult(e);
            return done.Task;
        }).ToList();
        _time.Advance(Interval);
        var errors = await WatchProbe.Within(Task.WhenAll(rounds), phase);
        Assert.All(errors, Assert.Null);
    }

    private async Task<long> CompactKeyVersionAsync()
    {
        using var client = new EtcdClient(_etcd!.ServersFlag);
        var response = await client.GetAsync("compact_rev_key");
        return response.Kvs[0].Version;
    }
}
