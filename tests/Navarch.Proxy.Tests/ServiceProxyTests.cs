using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Client.Informers;
using Navarch.Proxy.ChangeTracking;
using Navarch.Proxy.Tests.ChangeTracking;
using Navarch.Proxy.Tests.Userspace;
using Navarch.Testing;

namespace Navarch.Proxy.Tests;

/// <summary>
/// The sync loop over two real informers fed by scripted list/watch lambdas (the watch is a channel the test writes
/// to) and a proxier that records every table it is handed. Periods are real and small; every wait is bounded.
/// </summary>
[Trait("Category", "Unit")]
public sealed class ServiceProxyTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ShortMinSync = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan NoPeriodicSync = TimeSpan.FromHours(1);

    // ServiceProxy.RetryDelay: the pause after a failed sync.
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly List<Harness> _harnesses = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var harness in _harnesses) await harness.DisposeAsync();
    }

    [Fact]
    public async Task The_first_sync_waits_for_both_informers_and_carries_the_whole_table()
    {
        var servicesListed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var h = Start(ShortMinSync, NoPeriodicSync, holdServiceList: servicesListed.Task);

        await h.SliceInformer.WaitForSyncAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(0, h.Proxier.Calls);

        servicesListed.SetResult();
        await h.UntilSyncedAsync("the first sync after both lists", 1);
        Assert.Equal(Describe(SeedCluster.Ports()), Describe(h.Proxier.Synced[0]));
        Assert.Equal(1, h.Proxy.Syncs);
    }

    [Fact]
    public async Task A_service_added_or_deleted_causes_a_sync_with_the_new_table()
    {
        var h = Start(ShortMinSync, NoPeriodicSync);
        await h.UntilSyncedAsync("the first sync", 1);

        var web = Versioned(SeedCluster.Service("shop", "web", "10.96.0.20", SeedCluster.ServicePort("http", 80)), "10");
        h.Services.Push(WatchEventType.Added, web);
        await h.UntilAsync("a sync that has shop/web", () => h.Proxier.Synced.Any(t => t.Any(p => p.Service == "web")));
        Assert.Equal(Describe(ServicePortTable.Build([.. SeedCluster.Services(), web], SeedCluster.Slices())), Describe(h.Proxier.Last!));

        h.Services.Push(WatchEventType.Deleted, Versioned(SeedCluster.Services()[0], "11"));
        await h.UntilAsync("a sync without nginx-service-clusterip",
            () => h.Proxier.Last!.All(p => p.Service != "nginx-service-clusterip"));
        Assert.Equal(["nginx-service-nodeport", "web"], h.Proxier.Last!.Select(p => p.Service));
    }

    [Fact]
    public async Task A_slice_change_causes_a_sync_with_the_new_endpoints()
    {
        var h = Start(ShortMinSync, NoPeriodicSync);
        await h.UntilSyncedAsync("the first sync", 1);

        var moved = Versioned(SeedCluster.Slice("default", "nginx-service-clusterip", "nginx-service-clusterip-q9zvb", [SeedCluster.Port("", 80)],
            new V1Endpoint { Addresses = ["172.16.2.7"], NodeName = "192.168.0.202" }), "12");
        h.Slices.Push(WatchEventType.Modified, moved);

        await h.UntilAsync("a sync with the moved endpoint",
            () => h.Proxier.Last!.Single(p => p.Service == "nginx-service-clusterip").Endpoints.Any(e => e.Address.ToString() == "172.16.2.7"));
        var clusterIp = h.Proxier.Last!.Single(p => p.Service == "nginx-service-clusterip");
        Assert.Equal(["172.16.2.7:80"], clusterIp.Endpoints.Select(e => e.EndPoint.ToString()));
        Assert.Equal(SeedCluster.NginxEndpoints, h.Proxier.Last!.Single(p => p.Service == "nginx-service-nodeport").Endpoints);
    }

    [Fact]
    public async Task A_burst_of_changes_while_the_proxy_cannot_sync_costs_one_more_sync()
    {
        var minSync = TimeSpan.FromMilliseconds(50);
        var proxier = new RecordingProxier { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var h = Start(minSync, NoPeriodicSync, proxier: proxier);
        await h.UntilAsync("the first sync to start (and be held)", () => proxier.Calls == 1);

        const int Burst = 10;
        for (var i = 0; i < Burst; i++)
            h.Services.Push(WatchEventType.Added, Versioned(SeedCluster.Service("burst", $"svc-{i}", $"10.96.1.{i + 1}", SeedCluster.ServicePort("", 80)), $"{20 + i}"));
        await h.UntilAsync("the informer to hold the whole burst", () => h.ServiceInformer.List().Count == 2 + Burst);
        proxier.Hold.SetResult();

        await h.UntilAsync("a sync with the whole burst", () => h.Proxier.Last?.Count(p => p.Namespace == "burst") == Burst);
        await h.StaysAsync("no sync after the one for the burst", () => h.Proxier.Synced.Count == 2, minSync * 6);
        Assert.Equal(0, h.Proxier.Synced[0].Count(p => p.Namespace == "burst"));
    }

    [Fact]
    public async Task An_informer_resync_of_unchanged_objects_causes_no_sync()
    {
        var h = Start(ShortMinSync, NoPeriodicSync, informerResync: TimeSpan.FromMilliseconds(20));
        var resyncs = 0;
        h.ServiceInformer.AddHandlers(new EventHandlers<V1Service>
        {
            OnUpdate = (before, after) => { if (ReferenceEquals(before, after)) Interlocked.Increment(ref resyncs); },
        });
        await h.UntilSyncedAsync("the first sync", 1);

        // Five resync rounds of both services, each of which would have been followed by a sync within minSyncPeriod.
        await h.UntilAsync("five informer resyncs", () => Volatile.Read(ref resyncs) >= 10);
        await h.StaysAsync("only the first sync", () => h.Proxier.Synced.Count == 1, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_failed_sync_is_retried_with_the_then_current_table()
    {
        var time = new FakeTimeProvider();
        var proxier = new RecordingProxier { FailuresLeft = 1 };
        var h = Start(TimeSpan.Zero, NoPeriodicSync, time: time, proxier: proxier);
        await h.UntilAsync("the first, failing, sync", () => proxier.Calls == 1);
        Assert.Equal(0, h.Proxy.Syncs);

        var web = Versioned(SeedCluster.Service("shop", "web", "10.96.0.20", SeedCluster.ServicePort("http", 80)), "30");
        h.Services.Push(WatchEventType.Added, web);
        await h.UntilAsync("the informer to hold shop/web", () => h.ServiceInformer.Get("shop", "web") is not null);

        // The retry waits RetryDelay on the proxy's clock; advancing in the probe also covers a delay not yet started.
        await h.UntilAsync("the retry to succeed", () =>
        {
            time.Advance(RetryDelay);
            return proxier.Synced.Count >= 1;
        });
        Assert.Equal(1, h.Proxy.Syncs);
        Assert.Contains(proxier.Synced[0], p => p.Service == "web");
        Assert.Contains("proxy sync failed, retrying: injected failure", h.Log.ToString());
    }

    [Fact]
    public async Task Without_changes_the_proxy_still_syncs_every_sync_period()
    {
        var h = Start(ShortMinSync, TimeSpan.FromMilliseconds(40));

        await h.UntilSyncedAsync("three periodic syncs", 4);
        Assert.All(h.Proxier.Synced, table => Assert.Equal(Describe(SeedCluster.Ports()), Describe(table)));
    }

    [Fact]
    public async Task Cancelling_the_run_disposes_the_proxier()
    {
        var h = Start(ShortMinSync, NoPeriodicSync);
        await h.UntilSyncedAsync("the first sync", 1);
        Assert.False(h.Proxier.Disposed);

        await h.StopAsync();
        Assert.True(h.Proxier.Disposed);
    }

    [Fact]
    public async Task Cancelling_before_the_informers_have_listed_disposes_the_proxier_too()
    {
        var h = Start(ShortMinSync, NoPeriodicSync, holdServiceList: new TaskCompletionSource().Task);

        await h.StopAsync();
        Assert.True(h.Proxier.Disposed);
        Assert.Equal(0, h.Proxier.Calls);
    }

    private Harness Start(
        TimeSpan minSync, TimeSpan syncPeriod, TimeSpan? informerResync = null, TimeProvider? time = null,
        Task? holdServiceList = null, RecordingProxier? proxier = null)
    {
        var harness = new Harness(minSync, syncPeriod, informerResync ?? TimeSpan.Zero, time, holdServiceList, proxier ?? new RecordingProxier());
        _harnesses.Add(harness);
        return harness;
    }

    private static T Versioned<T>(T obj, string resourceVersion) where T : IKubernetesObject<V1ObjectMeta>
    {
        obj.Metadata.ResourceVersion = resourceVersion;
        return obj;
    }

    internal static string Describe(IEnumerable<ServicePort> ports) => string.Join("\n", ports.Select(p =>
        $"{p.Name}/{p.Protocol} {p.ClusterIp}:{p.Port} node {p.NodePort} -> {string.Join(",", p.Endpoints.Select(e => $"{e.EndPoint}{(e.Ready ? "" : " not ready")}"))}"));

    /// <summary>Two informers over scripted sources, a recording proxier and the proxy under test, all running.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        public Harness(TimeSpan minSync, TimeSpan syncPeriod, TimeSpan informerResync, TimeProvider? time, Task? holdServiceList, RecordingProxier proxier)
        {
            Services = new ScriptedSource<V1Service>(SeedCluster.Services(), holdServiceList);
            Slices = new ScriptedSource<V1EndpointSlice>(SeedCluster.Slices(), hold: null);
            ServiceInformer = new Informer<V1Service>(Services.ListWatch, informerResync);
            SliceInformer = new Informer<V1EndpointSlice>(Slices.ListWatch, informerResync);
            Proxier = proxier;
            Proxy = new ServiceProxy(ServiceInformer, SliceInformer, proxier, Log, time, minSync, syncPeriod);
            // The proxy subscribed in its constructor; only now may the informers run.
            Run = Proxy.RunAsync(_stop.Token);
            _running = Task.WhenAll(ServiceInformer.RunAsync(_stop.Token), SliceInformer.RunAsync(_stop.Token), Run);
        }

        public ScriptedSource<V1Service> Services { get; }
        public ScriptedSource<V1EndpointSlice> Slices { get; }
        public Informer<V1Service> ServiceInformer { get; }
        public Informer<V1EndpointSlice> SliceInformer { get; }
        public RecordingProxier Proxier { get; }
        public ServiceProxy Proxy { get; }
        public RecordingLogger Log { get; } = new();
        public Task Run { get; }

        public Task UntilSyncedAsync(string phase, int syncs) => UntilAsync(phase, () => Proxier.Synced.Count >= syncs);

        public Task UntilAsync(string phase, Func<bool> condition) => Poll.UntilAsync(phase, condition, Bound, Seen);

        /// <summary>Checks that <paramref name="invariant"/> holds throughout <paramref name="duration"/> (a bounded watch, not a wait for an event).</summary>
        public async Task StaysAsync(string phase, Func<bool> invariant, TimeSpan duration)
        {
            var clock = Stopwatch.StartNew();
            do
            {
                Assert.True(invariant(), $"{phase} no longer holds after {clock.ElapsedMilliseconds} ms\n{Seen()}");
                await Task.Delay(TimeSpan.FromMilliseconds(10));
            }
            while (clock.Elapsed < duration);
            Assert.True(invariant(), $"{phase} no longer holds at the end\n{Seen()}");
        }

        /// <summary>Cancels everything and waits (bounded) for the proxy's run to end.</summary>
        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Run.WaitAsync(Bound);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running.WaitAsync(Bound);
            _stop.Dispose();
        }

        private string Seen() =>
            $"proxier: {Proxier.Calls} calls, {Proxier.Synced.Count} synced tables; last:\n{(Proxier.Last is { } last ? Describe(last) : "(none)")}\nlog:\n{Log}";
    }

    /// <summary>
    /// A list that returns fixed items (optionally only once <c>hold</c> completes) and a watch that yields what the
    /// test pushes. One watch at a time: the informer only re-watches after a failure, which these tests never cause.
    /// </summary>
    private sealed class ScriptedSource<T>(IReadOnlyList<T> items, Task? hold) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        private readonly Channel<(WatchEventType, T)> _events = Channel.CreateUnbounded<(WatchEventType, T)>();

        public ListWatch<T> ListWatch => new(ListAsync, Watch);

        public void Push(WatchEventType type, T obj) => Assert.True(_events.Writer.TryWrite((type, obj)));

        private async Task<(IReadOnlyList<T>, string)> ListAsync(CancellationToken ct)
        {
            if (hold is not null) await hold.WaitAsync(ct);
            return (items, "1");
        }

        private async IAsyncEnumerable<(WatchEventType, T)> Watch(string resourceVersion, [EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var e in _events.Reader.ReadAllAsync(ct)) yield return e;
        }
    }
}

/// <summary>
/// An <see cref="IProxier"/> that records each table it synced. It can be told to fail its next syncs, and to hold
/// every sync at its start until <see cref="Hold"/> completes (the table is built by then).
/// </summary>
internal sealed class RecordingProxier : IProxier
{
    // Guarded by _lock.
    private readonly Lock _lock = new();
    private readonly List<IReadOnlyList<ServicePort>> _synced = [];
    private int _calls;

    /// <summary>Syncs that are still to throw.</summary>
    public int FailuresLeft { get; set; }

    /// <summary>When set, every sync waits for it before doing anything else.</summary>
    public TaskCompletionSource? Hold { get; init; }

    /// <summary>Syncs started, including held and failed ones.</summary>
    public int Calls
    {
        get { lock (_lock) return _calls; }
    }

    /// <summary>The tables of the syncs that succeeded, in order.</summary>
    public IReadOnlyList<IReadOnlyList<ServicePort>> Synced
    {
        get { lock (_lock) return [.. _synced]; }
    }

    public IReadOnlyList<ServicePort>? Last => Synced.LastOrDefault();

    public bool Disposed { get; private set; }

    public async Task SyncAsync(IReadOnlyList<ServicePort> ports, CancellationToken ct)
    {
        lock (_lock) _calls++;
        if (Hold is not null) await Hold.Task.WaitAsync(ct);
        lock (_lock)
        {
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new InvalidOperationException("injected failure");
            }
            _synced.Add(ports);
        }
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
