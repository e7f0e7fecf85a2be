using k8s;
using k8s.Models;

namespace Navarch.Controllers.Tests.ReplicationManager;

/// <summary>
/// Watches the pods of one namespace and records, after every event, how many active (not terminating) pods
/// a controller owns: the history a test checks for over-creation.
/// </summary>
public sealed class PodCountMonitor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, bool> _active = [];
    private readonly List<int> _history = [];
    private readonly Task _run;

    private PodCountMonitor(IKubernetes client, string ns, string rcUid, string resourceVersion, IEnumerable<V1Pod> initial)
    {
        foreach (var p in initial) Apply(p, deleted: false, rcUid);
        _run = Task.Run(async () =>
        {
            try
            {
                await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: resourceVersion, cancellationToken: _stop.Token))
                    Apply(pod, type == WatchEventType.Deleted, rcUid);
            }
            catch (OperationCanceledException) { }
            catch (HttpRequestException) when (_stop.IsCancellationRequested) { }
        });
    }

    public static async Task<PodCountMonitor> StartAsync(IKubernetes client, string ns, string rcUid)
    {
        var list = await client.CoreV1.ListNamespacedPodAsync(ns);
        return new PodCountMonitor(client, ns, rcUid, list.Metadata.ResourceVersion, list.Items);
    }

    /// <summary>The owned active count after each event, oldest first.</summary>
    public IReadOnlyList<int> History { get { lock (_history) return [.. _history]; } }

    private void Apply(V1Pod pod, bool deleted, string rcUid)
    {
        var owned = pod.Metadata.OwnerReferences?.Any(o => o.Uid == rcUid && o.Controller == true) == true;
        lock (_history)
        {
            _active[pod.Metadata.Name] = !deleted && owned && pod.Metadata.DeletionTimestamp is null;
            _history.Add(_active.Values.Count(a => a));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
    }
}
