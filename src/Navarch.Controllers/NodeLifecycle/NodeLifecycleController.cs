using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.Endpoints;
using Navarch.Controllers.NodeIpam;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>
/// Node lifecycle (upstream's nodelifecycle controller): every <c>--node-monitor-period</c> it marks nodes that
/// have not renewed their Lease nor posted status for <c>--node-monitor-grace-period</c> as Unknown, keeps the
/// condition taints (NoExecute unreachable / not-ready evict pods through <see cref="TaintEvictionController"/>),
/// marks the pods of not-ready nodes not ready, and evicts nothing when every node is down at once.
/// </summary>
public sealed partial class NodeLifecycleController : IControllerLoop
{
    private readonly IKubernetes _client;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1Lease> _leases;
    private readonly Informer<V1Pod> _pods;
    private readonly EventRecorder _recorder;
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly NodeMonitor _monitor;
    private readonly ILogger _log;

    public NodeLifecycleController(ControllerContext context)
    {
        _client = context.Client;
        _nodes = context.Informers.Nodes;
        _leases = context.Informers.Leases;
        _pods = context.Informers.Pods;
        _recorder = context.Recorder("node-controller");
        _time = context.Time;
        _period = context.Options.NodeMonitorPeriod;
        _monitor = new NodeMonitor(context.Options.NodeMonitorGracePeriod);
        _log = context.Loggers.CreateLogger<NodeLifecycleController>();
    }

    public string Name => "node-lifecycle-controller";

    public async Task RunAsync(CancellationToken ct)
    {
        await Task.WhenAll(_nodes.WaitForSyncAsync(ct), _leases.WaitForSyncAsync(ct), _pods.WaitForSyncAsync(ct));
        using var timer = new PeriodicTimer(_period, _time);
        do
        {
            try
            {
                await MonitorOnceAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    /// <summary>One monitor pass: decide from the caches, then write.</summary>
    public async Task MonitorOnceAsync(CancellationToken ct)
    {
        var plan = _monitor.Plan(_nodes.List(), name => _leases.Get(NodeKeys.LeaseNamespace, name), _time.GetUtcNow());
        if (plan.Zone != plan.PreviousZone)
        {
            if (plan.Zone == ZoneState.FullDisruption) LogEnteringDisruption();
            else if (plan.PreviousZone == ZoneState.FullDisruption) LogExitingDisruption();
        }
        foreach (var node in plan.Registered)
            await _recorder.NormalAsync(NodeIpamController.NodeRef(node), "RegisteredNode", $"Node {node.Metadata.Name} event: Registered Node {node.Metadata.Name} in Controller", ct);
        foreach (var name in plan.Removed)
            await _recorder.NormalAsync(NodeIpamController.NodeRef(new V1Node { Metadata = new V1ObjectMeta { Name = name } }), "RemovingNode", $"Node {name} event: Removing Node {name} from Controller", ct);

        // Status first: the taint patch then carries the resourceVersion the status write returned.
        var latest = new Dictionary<string, V1Node>();
        foreach (var change in plan.StatusChanges)
        {
            var node = DeepCopy.Of(change.Node);
            node.Status ??= new V1NodeStatus();
            node.Status.Conditions = change.Conditions;
            if (await TryAsync(() => _client.CoreV1.ReplaceNodeStatusAsync(node, node.Metadata.Name, cancellationToken: ct)) is { } written)
            {
                latest[node.Metadata.Name] = written;
                LogMarkedUnknown(node.Metadata.Name);
            }
        }
        foreach (var (name, taints) in plan.TaintChanges)
        {
            var rv = latest.TryGetValue(name, out var n) ? n.Metadata.ResourceVersion : _nodes.Get(name)?.Metadata.ResourceVersion;
            var body = KubernetesJson.Serialize(new V1Node { Metadata = new V1ObjectMeta { ResourceVersion = rv }, Spec = new V1NodeSpec { Taints = taints } });
            await TryAsync(() => _client.CoreV1.PatchNodeAsync(new V1Patch(body, V1Patch.PatchType.MergePatch), name, cancellationToken: ct));
        }
        foreach (var name in plan.BecameNotReady)
            if (_nodes.Get(name) is { } node)
                await _recorder.NormalAsync(NodeIpamController.NodeRef(node), "NodeNotReady", $"Node {name} status is now: NodeNotReady", ct);
        if (plan.NotReady.Count > 0) await MarkPodsNotReadyAsync(plan.NotReady.ToHashSet(), ct);
    }

    private async Task MarkPodsNotReadyAsync(HashSet<string> nodes, CancellationToken ct)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        foreach (var pod in _pods.List())
        {
            if (pod.Spec?.NodeName is not { Length: > 0 } node || !nodes.Contains(node)) continue;
            if (pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is not { Status: "True" }) continue;
            var copy = DeepCopy.Of(pod);
            var ready = copy.Status.Conditions.First(c => c.Type == "Ready");
            ready.Status = "False";
            ready.LastTransitionTime = now;
            if (await TryAsync(() => _client.CoreV1.ReplaceNamespacedPodStatusAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct)) is not null)
                await _recorder.WarningAsync(pod, "NodeNotReady", "Node is not ready", ct);
        }
    }

    // Conflicts and vanished objects are settled by the next pass.
    private static async Task<T?> TryAsync<T>(Func<Task<T>> write) where T : class
    {
        try { return await write(); }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound) { return null; }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Controller detected that all Nodes are not-Ready. Entering master disruption mode.")]
    private partial void LogEnteringDisruption();

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Controller detected that some Nodes are Ready. Exiting master disruption mode.")]
    private partial void LogExitingDisruption();

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "node {Node} stopped posting status: marked Unknown")]
    private partial void LogMarkedUnknown(string node);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "node monitor pass failed: {Reason}")]
    private partial void LogPassFailed(string reason);
}
