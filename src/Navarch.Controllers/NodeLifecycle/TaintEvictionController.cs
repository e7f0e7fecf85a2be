using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>
/// Taint-based eviction (upstream's taint-eviction-controller): deletes the pods of a node with a NoExecute taint
/// once their toleration runs out, at once when they have none, with a <c>TaintManagerEviction</c> event. Never
/// evicts while every node is not ready (full disruption), whatever the taints say.
/// </summary>
public sealed partial class TaintEvictionController : Controller, IControllerLoop
{
    private static readonly TimeSpan DisruptionRecheck = TimeSpan.FromSeconds(1);

    private readonly IKubernetes _client;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Node> _nodes;
    private readonly EventRecorder _recorder;
    private readonly TimeProvider _time;
    private readonly int _workers;
    private readonly ILogger _log;
    // Pod key → the eviction deadline we are waiting for (to tell when one is cancelled).
    private readonly ConcurrentDictionary<string, DateTime> _scheduled = new();
    // Taint (node, key, effect) → when we first saw it, for taints without timeAdded.
    private readonly ConcurrentDictionary<string, DateTime> _taintSeen = new();

    public TaintEvictionController(ControllerContext context)
        : base("taint-eviction-controller", context.Loggers.CreateLogger<TaintEvictionController>(), context.Time)
    {
        _client = context.Client;
        _pods = context.Informers.Pods;
        _nodes = context.Informers.Nodes;
        _recorder = context.Recorder("taint-eviction-controller");
        _time = context.Time;
        _workers = context.Options.ConcurrentSyncs;
        _log = context.Loggers.CreateLogger<TaintEvictionController>();

        _pods.AddHandlers(new EventHandlers<V1Pod>
        {
            OnAdd = EnqueueIfTainted,
            OnUpdate = (_, p) => EnqueueIfTainted(p),
            OnDelete = p => Queue.Add(ObjectKey.Of(p)),
        });
        _nodes.AddHandlers(new EventHandlers<V1Node>
        {
            OnAdd = n => { if (NodeTaintRules.NoExecute(n).Any()) EnqueuePodsOf(n.Metadata.Name); },
            OnUpdate = (old, n) =>
            {
                if (!NodeTaintRules.Same(NodeTaintRules.NoExecute(old), NodeTaintRules.NoExecute(n))) EnqueuePodsOf(n.Metadata.Name);
            },
        });
    }

    Task IControllerLoop.RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override Task WaitForCachesAsync(CancellationToken ct) =>
        Task.WhenAll(_pods.WaitForSyncAsync(ct), _nodes.WaitForSyncAsync(ct));

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        var pod = _pods.Get(key);
        var node = pod?.Spec?.NodeName is { Length: > 0 } nodeName ? _nodes.Get(nodeName) : null;
        if (pod is null || node is null || pod.Metadata.DeletionTimestamp is not null)
        {
            _scheduled.TryRemove(key, out _);
            return;
        }
        var now = _time.GetUtcNow().UtcDateTime;
        var decision = TaintEvictionRules.Decide(pod, NodeTaintRules.NoExecute(node), now, t => TaintSeen(node, t, now));
        if (!decision.Evict)
        {
            if (_scheduled.TryRemove(key, out _))
                await _recorder.NormalAsync(pod, "TaintManagerEviction", $"Cancelling deletion of Pod {key}", ct);
            return;
        }
        if (decision.At > now)
        {
            _scheduled[key] = decision.At.Value;
            Queue.AddAfter(key, decision.At.Value - now);
            return;
        }
        if (ZoneStates.Compute(_nodes.List().Select(NodeStatusRules.ReadyStatus)) == ZoneState.FullDisruption)
        {
            // Every node down at once is more likely our view than the nodes: wait, as upstream does.
            Queue.AddAfter(key, DisruptionRecheck);
            return;
        }
        _scheduled.TryRemove(key, out _);
        await _recorder.NormalAsync(pod, "TaintManagerEviction", $"Marking for deletion Pod {key}", ct);
        try
        {
            await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
            LogEvicted(key, node.Metadata.Name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone already, or a different pod of that name now.
        }
    }

    private DateTime TaintSeen(V1Node node, V1Taint taint, DateTime now) =>
        _taintSeen.GetOrAdd($"{node.Metadata.Name}|{taint.Key}|{taint.Effect}", now);

    private void EnqueueIfTainted(V1Pod pod)
    {
        if (pod.Spec?.NodeName is { Length: > 0 } name && NodeTaintRules.NoExecute(_nodes.Get(name)).Any())
            Queue.Add(ObjectKey.Of(pod));
    }

    private void EnqueuePodsOf(string node)
    {
        foreach (var pod in _pods.List())
            if (pod.Spec?.NodeName == node) Queue.Add(ObjectKey.Of(pod));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "evicted pod {Pod} from tainted node {Node}")]
    private partial void LogEvicted(string pod, string node);
}
