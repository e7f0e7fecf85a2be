using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Proxy.ChangeTracking;

namespace Navarch.Proxy;

/// <summary>
/// The service proxy of one node: watches Services and EndpointSlices and, after any change, hands the whole table of
/// service ports to a proxy mode (<see cref="IProxier"/>). Syncs are at least <c>minSyncPeriod</c> apart, so a burst
/// of changes costs one sync (upstream's --iptables-min-sync-period, 1 s), and happen every <c>syncPeriod</c> anyway
/// (30 s), which repairs rules someone else removed. A failed sync is logged and retried.
/// </summary>
public sealed partial class ServiceProxy
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly Informer<V1Service> _services;
    private readonly Informer<V1EndpointSlice> _slices;
    private readonly IProxier _proxier;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly TimeSpan _minSyncPeriod;
    private readonly TimeSpan _syncPeriod;
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _syncs;

    /// <summary>Subscribes to the informers: create it before they run.</summary>
    public ServiceProxy(Informer<V1Service> services, Informer<V1EndpointSlice> slices, IProxier proxier, ILogger log,
        TimeProvider? time = null, TimeSpan? minSyncPeriod = null, TimeSpan? syncPeriod = null)
    {
        _services = services;
        _slices = slices;
        _proxier = proxier;
        _log = log;
        _time = time ?? TimeProvider.System;
        _minSyncPeriod = minSyncPeriod ?? TimeSpan.FromSeconds(1);
        _syncPeriod = syncPeriod ?? TimeSpan.FromSeconds(30);
        services.AddHandlers(new EventHandlers<V1Service> { OnAdd = _ => Changed(), OnUpdate = (a, b) => ChangedIf(a, b), OnDelete = _ => Changed() });
        slices.AddHandlers(new EventHandlers<V1EndpointSlice> { OnAdd = _ => Changed(), OnUpdate = (a, b) => ChangedIf(a, b), OnDelete = _ => Changed() });
    }

    /// <summary>How many syncs have succeeded (for tests and logs).</summary>
    public int Syncs => Volatile.Read(ref _syncs);

    /// <summary>Syncs until cancelled, then disposes the proxy mode (which leaves its rules in place).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(_services.WaitForSyncAsync(ct), _slices.WaitForSyncAsync(ct));
            while (!ct.IsCancellationRequested)
            {
                var started = _time.GetUtcNow();
                var synced = await TrySyncAsync(ct);
                var pause = synced ? _minSyncPeriod - (_time.GetUtcNow() - started) : RetryDelay;
                if (pause > TimeSpan.Zero) await Task.Delay(pause, _time, ct);
                if (synced) await WaitForChangeAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await _proxier.DisposeAsync();
        }
    }

    private async Task<bool> TrySyncAsync(CancellationToken ct)
    {
        // This table includes every change signalled so far (the informers update their cache before notifying), so
        // only later changes call for another sync; otherwise the informers' first list costs a second, identical one.
        _changed.Reader.TryRead(out _);
        var table = ServicePortTable.Build(_services.List(), _slices.List());
        try
        {
            await _proxier.SyncAsync(table, ct);
            Interlocked.Increment(ref _syncs);
            LogSynced(_log, table.Count);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSyncFailed(_log, e.Message);
            return false;
        }
    }

    private async Task WaitForChangeAsync(CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(_syncPeriod, _time);
        using var periodic = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            await _changed.Reader.ReadAsync(periodic.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The periodic resync.
        }
    }

    private void Changed() => _changed.Writer.TryWrite(true);

    // A resync of the informer repeats every object unchanged: no sync for those.
    private void ChangedIf<T>(T before, T after) where T : k8s.IKubernetesObject<V1ObjectMeta>
    {
        if (before.Metadata.ResourceVersion != after.Metadata.ResourceVersion) Changed();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "proxy rules synced for {Count} service ports")]
    private static partial void LogSynced(ILogger log, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "proxy sync failed, retrying: {Error}")]
    private static partial void LogSyncFailed(ILogger log, string error);
}
