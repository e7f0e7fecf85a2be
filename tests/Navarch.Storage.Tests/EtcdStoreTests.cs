using Navarch.Storage.Etcd;
using Navarch.Testing;

namespace Navarch.Storage.Tests;

/// <summary>One etcd for the whole class (started on loopback, removed afterwards); each test's stores live under a prefix
/// of their own, so every test starts with no keys.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    private EtcdCluster? _etcd;
    private int _next;

    public EtcdCluster Etcd => _etcd ?? throw new InvalidOperationException("etcd is not started");

    public string NewPrefix() => $"/test{Interlocked.Increment(ref _next)}";

    public async Task InitializeAsync() => _etcd = await EtcdCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_etcd is not null) await _etcd.DisposeAsync();
    }
}

[Trait("Category", "Unit")]
public sealed class EtcdStoreTests(EtcdFixture fixture) : StoreConformanceTests, IClassFixture<EtcdFixture>
{
    private readonly List<EtcdStore> _opened = [];

    protected override async Task<IStore> OpenStoreAsync(int watchBufferSize = 1024)
    {
        var store = await EtcdStore.OpenAsync(new EtcdStoreOptions
        {
            Endpoints = fixture.Etcd.ClientUrls,
            KeyRoot = "",
            Prefix = fixture.NewPrefix(),
            WatchBufferSize = watchBufferSize,
            CompactionInterval = Timeout.InfiniteTimeSpan,
        });
        _opened.Add(store);
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _opened)
            await store.DisposeAsync();
    }
}
