using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Agent.Probes;
using Navarch.Client.Informers;
using Navarch.Client.Queue;

namespace Navarch.Agent.Pods;

/// <summary>
/// Drives <see cref="PodSyncer"/> for the pods bound to one node: pod events, the runtime relist and probe
/// results enqueue <c>namespace/name</c> keys; workers sync each key, one worker per key at a time; a sync
/// that asks to be retried later (back-off) is re-queued after that delay, one that fails with back-off.
/// The pod informer may hold other nodes' pods too (hollow nodes share one): only this node's count.
/// </summary>
public sealed partial class PodSyncLoop
{
    private readonly Informer<V1Pod> _pods;
    private readonly string _nodeName;
    private readonly RuntimeRelister _relister;
    private readonly TimeSpan _relistPeriod;
    private readonly TimeSpan _volumeRefreshPeriod;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly WorkQueue _queue;
    // Pod UID → key, for probe results (which name pods by UID).
    private readonly ConcurrentDictionary<string, string> _keysByUid = new();
    // Set once by RunAsync; probe failures before it have nothing to restart.
    private PodSyncer? _syncer;

    /// <summary>
    /// Subscribes to <paramref name="pods"/> and <paramref name="probes"/>; call before the informer starts. Every
    /// <paramref name="volumeRefreshPeriod"/> (zero: never) the pods with volumes made of API objects are synced with
    /// a refresh of those volumes.
    /// </summary>
    public PodSyncLoop(Informer<V1Pod> pods, string nodeName, RuntimeRelister relister, IProbeManager probes,
        TimeSpan relistPeriod, TimeSpan volumeRefreshPeriod, TimeProvider time, ILogger log)
    {
        _volumeRefreshPeriod = volumeRefreshPeriod;
        _pods = pods;
        _nodeName = nodeName;
        _relister = relister;
        _relistPeriod = relistPeriod;
        _time = time;
        _log = log;
        _queue = new WorkQueue(time, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
        pods.AddHandlers(new EventHandlers<V1Pod>
        {
            OnAdd = Enqueue,
            OnUpdate = (old, pod) =>
            {
                // The echo of the agent's own status write needs no sync (the relist and probes notice runtime
                // changes); the informer's periodic resync (same resourceVersion) still syncs every pod.
                if (old.Metadata.ResourceVersion == pod.Metadata.ResourceVersion || !PodChange.IsStatusOnly(old, pod)) Enqueue(pod);
            },
            OnDelete = pod =>
            {
                if (pod.Spec?.NodeName != _nodeName) return;
                _keysByUid.TryRemove(pod.Metadata.Uid, out _);
                _queue.Add(ObjectKey.Of(pod));
            },
        });
        probes.Changed += uid => { if (_keysByUid.TryGetValue(uid, out var key)) _queue.Add(key); };
        probes.Failed += (uid, container, message) =>
        {
            // Upstream's Killing event names the probe kind; the probe's own message went out as Unhealthy.
            var kind = message.StartsWith("Startup", StringComparison.Ordinal) ? "startup" : "liveness";
            _syncer?.RequestRestart(uid, container, $"Container {container} failed {kind} probe, will be restarted");
            if (_keysByUid.TryGetValue(uid, out var key)) _queue.Add(key);
        };
    }

    /// <summary>Waits for the pod cache and <paramref name="ready"/> (the node's pod CIDR), then syncs with <paramref name="syncer"/> until cancelled.</summary>
    public async Task RunAsync(PodSyncer syncer, int workers, Task ready, CancellationToken ct)
    {
        _syncer = syncer;
        await _pods.WaitForSyncAsync(ct);
        await ready.WaitAsync(ct);
        await syncer.RemoveLeftoverVolumesAsync(_pods.List().Where(p => p.Spec?.NodeName == _nodeName).Select(p => p.Metadata.Uid), ct);
        foreach (var pod in _pods.List()) Enqueue(pod);
        await using var _ = ct.Register(_queue.ShutDown);
        var loops = Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(ct), CancellationToken.None)).ToList();
        loops.Add(Task.Run(() => RelistLoopAsync(ct), CancellationToken.None));
        if (_volumeRefreshPeriod > TimeSpan.Zero) loops.Add(Task.Run(() => VolumeRefreshLoopAsync(ct), CancellationToken.None));
        await Task.WhenAll(loops);
    }

    private void Enqueue(V1Pod pod)
    {
        if (pod.Spec?.NodeName != _nodeName) return;
        var key = ObjectKey.Of(pod);
        _keysByUid[pod.Metadata.Uid] = key;
        _queue.Add(key);
    }

    private async Task RelistLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                foreach (var key in await _relister.RelistAsync(ct)) _queue.Add(key);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) { LogRelistFailed(e.Message); }
            try { await Task.Delay(_relistPeriod, _time, ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    // Upstream's kubelet remounts every pod's volumes at its periodic sync (--sync-frequency): edits of the ConfigMaps
    // and Secrets reach the files, and tokens are renewed, within one period.
    private async Task VolumeRefreshLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(_volumeRefreshPeriod, _time, ct); }
            catch (OperationCanceledException) { return; }
            foreach (var pod in _pods.List())
            {
                if (pod.Spec?.NodeName != _nodeName || pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase is "Succeeded" or "Failed") continue;
                if (!ProjectedVolumes.Has(pod)) continue;
                _syncer!.RequestVolumeRefresh(pod.Metadata.Uid);
                Enqueue(pod);
            }
        }
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            string? key;
            try { key = await _queue.GetAsync(ct); }
            catch (OperationCanceledException) { return; }
            if (key is null) return;
            try
            {
                var (ns, name) = ObjectKey.Split(key);
                var pod = _pods.Get(key) is { } p && p.Spec?.NodeName == _nodeName ? p : null;
                var retry = await _syncer!.SyncAsync(ns ?? "default", name, pod, ct);
                _queue.Forget(key);
                if (retry is { } delay) _queue.AddAfter(key, delay);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogSyncFailed(key, _queue.Failures(key) + 1, e.Message);
                _queue.AddRateLimited(key);
            }
            finally
            {
                _queue.Done(key);
            }
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "sync of pod {Key} failed (attempt {Attempt}): {Reason}")]
    private partial void LogSyncFailed(string key, int attempt, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "runtime relist failed: {Reason}")]
    private partial void LogRelistFailed(string reason);
}
