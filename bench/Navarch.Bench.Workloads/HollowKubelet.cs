using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Bench.Workloads;

/// <summary>
/// The kubelet of every hollow node at once, as kubemark's hollow kubelets would be: one watch on all pods; a pod bound
/// to a node is written Running and Ready (once), a pod being deleted is deleted for good (its "containers" stopped).
/// Writes go through <c>workers</c> lanes (by default one a node), a node's pods always in the same lane, so one pod's
/// writes keep their order while different nodes' run in parallel (as each node's kubelet works on its own). With
/// fewer lanes than nodes, the lanes' request latency, not the server, capped the pods made ready per second.
/// </summary>
internal sealed class HollowKubelet : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly Channel<V1Pod>[] _lanes;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    // Pod uid → its IP; also marks "Running written" (a watch replay must not write it again).
    private readonly ConcurrentDictionary<string, string> _running = new();
    private readonly ConcurrentDictionary<string, bool> _deleted = new();
    private int _nextIp;
    private long _writes;
    private long _dispatched;
    private long _handled;

    public HollowKubelet(IKubernetes client, int workers)
    {
        _client = client;
        _lanes = [.. Enumerable.Range(0, workers).Select(_ => Channel.CreateUnbounded<V1Pod>(new UnboundedChannelOptions { SingleReader = true }))];
    }

    /// <summary>Status writes and final deletes made so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Pod changes handed to a lane and not yet written (or skipped): the kubelet's backlog.</summary>
    public long Backlog => Interlocked.Read(ref _dispatched) - Interlocked.Read(ref _handled);

    public void Start()
    {
        foreach (var lane in _lanes) _loops.Add(Task.Run(() => LaneAsync(lane.Reader, _stop.Token)));
        _loops.Add(Task.Run(() => WatchAsync(_stop.Token)));
    }

    private async Task WatchAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await _client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct);
                foreach (var pod in list.Items) Dispatch(pod);
                await foreach (var (type, pod) in _client.CoreV1.WatchListPodForAllNamespacesAsync(
                    resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 600, cancellationToken: ct))
                {
                    if (type is WatchEventType.Added or WatchEventType.Modified) Dispatch(pod);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or KubernetesException)
            {
                await Task.Delay(100, ct);
            }
        }
    }

    private void Dispatch(V1Pod pod)
    {
        if (string.IsNullOrEmpty(pod.Spec?.NodeName)) return;
        var deleting = pod.Metadata.DeletionTimestamp is not null;
        if (deleting ? _deleted.ContainsKey(pod.Metadata.Uid) : _running.ContainsKey(pod.Metadata.Uid)) return;
        var lane = (int)((uint)StringComparer.Ordinal.GetHashCode(pod.Spec.NodeName) % (uint)_lanes.Length);
        Interlocked.Increment(ref _dispatched);
        _lanes[lane].Writer.TryWrite(pod);
    }

    private async Task LaneAsync(ChannelReader<V1Pod> lane, CancellationToken ct)
    {
        try
        {
            await foreach (var pod in lane.ReadAllAsync(ct))
            {
                try
                {
                    if (pod.Metadata.DeletionTimestamp is not null) await FinishDeletionAsync(pod, ct);
                    else await WriteRunningAsync(pod, ct);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict) { }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException)
                {
                    // Lost write: the next event of the pod (or the re-list) tries again.
                    _running.TryRemove(pod.Metadata.Uid, out _);
                    _deleted.TryRemove(pod.Metadata.Uid, out _);
                }
                finally
                {
                    Interlocked.Increment(ref _handled);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private async Task FinishDeletionAsync(V1Pod pod, CancellationToken ct)
    {
        if (!_deleted.TryAdd(pod.Metadata.Uid, true)) return;
        await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
            new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
        Interlocked.Increment(ref _writes);
    }

    private async Task WriteRunningAsync(V1Pod pod, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _nextIp);
        var ip = $"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}";
        if (!_running.TryAdd(pod.Metadata.Uid, ip)) return;
        var now = DateTime.UtcNow;
        V1PodCondition Condition(string type) => new() { Type = type, Status = "True", LastTransitionTime = now };
        var status = new V1PodStatus
        {
            Phase = "Running",
            PodIP = ip,
            PodIPs = [new V1PodIP { Ip = ip }],
            HostIP = "10.255.0.1",
            StartTime = now,
            Conditions = [Condition("PodReadyToStartContainers"), Condition("Initialized"), Condition("Ready"), Condition("ContainersReady"), Condition("PodScheduled")],
            ContainerStatuses = [.. (pod.Spec.Containers ?? []).Select(c => new V1ContainerStatus
            {
                Name = c.Name, Image = c.Image, ImageID = $"hollow://{c.Image}", ContainerID = $"hollow://{pod.Metadata.Uid}/{c.Name}",
                Ready = true, Started = true, RestartCount = 0,
                State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = now } },
            })],
        };
        var body = KubernetesJson.Serialize(new { metadata = new { uid = pod.Metadata.Uid }, status });
        await _client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
        Interlocked.Increment(ref _writes);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var lane in _lanes) lane.Writer.TryComplete();
        try { await Task.WhenAll(_loops); } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
