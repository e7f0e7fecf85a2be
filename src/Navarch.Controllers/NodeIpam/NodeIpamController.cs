using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;

namespace Navarch.Controllers.NodeIpam;

/// <summary>
/// Node IPAM with upstream's range allocator: every Node without <c>spec.podCIDR</c> gets the next free subnet
/// of <c>--cluster-cidr</c> (patching only <c>spec.podCIDR</c> and <c>spec.podCIDRs</c>); a Node that has one
/// keeps it; the subnet is freed when the Node goes. The set of used subnets is rebuilt from the Nodes at start.
/// </summary>
public sealed partial class NodeIpamController : Controller, IControllerLoop
{
    private readonly IKubernetes _client;
    private readonly Informer<V1Node> _nodes;
    private readonly EventRecorder _recorder;
    private readonly ILogger _log;

    // Guards _cidrs and _assigned: workers sync different nodes at once.
    private readonly object _lock = new();
    private readonly CidrSet _cidrs;
    // Node name → the subnet we hold for it (given by us, or found on the node).
    private readonly Dictionary<string, string> _assigned = [];

    public NodeIpamController(ControllerContext context)
        : base("node-ipam-controller", context.Loggers.CreateLogger<NodeIpamController>(), context.Time)
    {
        _client = context.Client;
        _nodes = context.Informers.Nodes;
        _recorder = context.Recorder("cidrAllocator");
        _log = context.Loggers.CreateLogger<NodeIpamController>();
        _cidrs = new CidrSet(context.Options.ClusterCidr, context.Options.NodeCidrMaskSize);
        _nodes.AddHandlers(new EventHandlers<V1Node>
        {
            OnAdd = n => Queue.Add(n.Metadata.Name),
            OnUpdate = (old, n) => { if (PodCidr(old) != PodCidr(n) || PodCidr(n) is null) Queue.Add(n.Metadata.Name); },
            OnDelete = n => Queue.Add(n.Metadata.Name),
        });
        Workers = context.Options.ConcurrentSyncs;
    }

    private int Workers { get; }

    Task IControllerLoop.RunAsync(CancellationToken ct) => RunAsync(Workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await _nodes.WaitForSyncAsync(ct);
        // Before handing out anything, mark what the nodes already hold.
        lock (_lock)
            foreach (var node in _nodes.List())
                if (PodCidr(node) is { } cidr) Hold(node.Metadata.Name, cidr);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        var node = _nodes.Get(key);
        string? cidr;
        lock (_lock)
        {
            if (node is null)
            {
                if (!_assigned.Remove(key, out var freed)) return;
                _cidrs.Release(freed);
                // A freed subnet is news for nodes still waiting for one (sooner than their back-off).
                foreach (var waiting in _nodes.List().Where(w => PodCidr(w) is null)) Queue.Add(waiting.Metadata.Name);
                return;
            }
            if (PodCidr(node) is { } existing)
            {
                if (!_assigned.TryGetValue(key, out var held) || held != existing)
                {
                    if (held is not null) _cidrs.Release(held);
                    Hold(key, existing);
                }
                return;
            }
            // Ours already but the node doesn't show it yet (patch in flight, or it failed): patch the same one.
            if (!_assigned.TryGetValue(key, out cidr))
            {
                cidr = _cidrs.Allocate();
                if (cidr is not null) _assigned[key] = cidr;
            }
        }
        if (cidr is null)
        {
            // No retry with back-off: a node going frees a subnet and re-queues every waiting node (see above),
            // so thousands of waiting nodes cause no storm of retries.
            await _recorder.WarningAsync(NodeRef(node), "CIDRNotAvailable", $"Node {key} status is now: CIDRNotAvailable", ct);
            LogNoCidr(key);
            return;
        }
        var patch = new V1Patch(KubernetesJson.Serialize(new { spec = new { podCIDR = cidr, podCIDRs = new[] { cidr } } }), V1Patch.PatchType.MergePatch);
        try
        {
            await _client.CoreV1.PatchNodeAsync(patch, key, cancellationToken: ct);
            LogAssigned(key, cidr);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            lock (_lock) if (_assigned.Remove(key, out var freed)) _cidrs.Release(freed);
        }
    }

    // Caller holds _lock.
    private void Hold(string node, string cidr)
    {
        if (_cidrs.Occupy(cidr)) _assigned[node] = cidr;
    }

    private static string? PodCidr(V1Node node) =>
        node.Spec?.PodCIDR is { Length: > 0 } c ? c : node.Spec?.PodCIDRs?.FirstOrDefault(s => !string.IsNullOrEmpty(s));

    internal static V1Node NodeRef(V1Node node) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        // Upstream's node events use the node's name as the uid.
        Metadata = new V1ObjectMeta { Name = node.Metadata.Name, Uid = node.Metadata.Name },
    };

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "no pod CIDR left in the cluster network for node {Node}")]
    private partial void LogNoCidr(string node);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "node {Node} gets pod CIDR {Cidr}")]
    private partial void LogAssigned(string node, string cidr);
}
