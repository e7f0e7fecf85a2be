using k8s.Models;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>A node that went silent: the conditions to write into its status.</summary>
public sealed record NodeStatusChange(V1Node Node, List<V1NodeCondition> Conditions);

/// <summary>Everything one monitor pass decided; the controller carries it out.</summary>
/// <param name="StatusChanges">Nodes to mark Unknown.</param>
/// <param name="TaintChanges">Node name → its taints as they should be (only nodes whose taints change).</param>
/// <param name="BecameNotReady">Nodes whose Ready went from True to something else since the last pass.</param>
/// <param name="NotReady">Every node whose Ready is not True: their pods must not look ready.</param>
/// <param name="Registered">Nodes seen for the first time.</param>
/// <param name="Removed">Nodes that are gone.</param>
public sealed record MonitorPlan(
    IReadOnlyList<NodeStatusChange> StatusChanges,
    IReadOnlyDictionary<string, List<V1Taint>> TaintChanges,
    IReadOnlyList<string> BecameNotReady,
    IReadOnlyList<string> NotReady,
    IReadOnlyList<V1Node> Registered,
    IReadOnlyList<string> Removed,
    ZoneState Zone,
    ZoneState PreviousZone);

/// <summary>
/// The decisions of node lifecycle's monitor pass, without any I/O (upstream's monitorNodeHealth): which nodes
/// went silent for longer than the grace period, the zone's disruption state, and the taints that follow.
/// Call <see cref="Plan"/> from one thread at a time.
/// </summary>
public sealed class NodeMonitor(TimeSpan gracePeriod)
{
    private readonly NodeHealthTracker _health = new();
    // Node name → the Ready status the last pass ended with.
    private readonly Dictionary<string, string?> _known = [];
    private ZoneState _zone = ZoneState.Normal;

    public ZoneState Zone => _zone;

    public MonitorPlan Plan(IReadOnlyList<V1Node> nodes, Func<string, V1Lease?> leaseOf, DateTimeOffset now)
    {
        var utcNow = now.UtcDateTime;
        var names = nodes.Select(n => n.Metadata.Name).ToHashSet();
        var removed = _known.Keys.Where(k => !names.Contains(k)).ToList();
        foreach (var name in removed)
        {
            _known.Remove(name);
            _health.Forget(name);
        }

        var statusChanges = new List<NodeStatusChange>();
        var becameNotReady = new List<string>();
        var registered = new List<V1Node>();
        var observed = new Dictionary<string, string?>();
        foreach (var node in nodes)
        {
            var name = node.Metadata.Name;
            var heardFrom = _health.Observe(node, leaseOf(name), now);
            var ready = NodeStatusRules.ReadyStatus(node);
            if (now > heardFrom + gracePeriod)
            {
                if (NodeStatusRules.SilentConditions(node, utcNow) is { } conditions) statusChanges.Add(new NodeStatusChange(node, conditions));
                ready = "Unknown";
            }
            if (!_known.TryGetValue(name, out var before)) registered.Add(node);
            else if (before == "True" && ready != "True") becameNotReady.Add(name);
            _known[name] = ready;
            observed[name] = ready;
        }

        var previous = _zone;
        _zone = ZoneStates.Compute(observed.Values);
        var taints = new Dictionary<string, List<V1Taint>>();
        foreach (var node in nodes)
        {
            var desired = NodeTaintRules.Desired(node, observed[node.Metadata.Name], _zone, utcNow);
            if (!NodeTaintRules.Same(node.Spec?.Taints, desired)) taints[node.Metadata.Name] = desired;
        }
        var notReady = observed.Where(p => p.Value != "True").Select(p => p.Key).ToList();
        return new MonitorPlan(statusChanges, taints, becameNotReady, notReady, registered, removed, _zone, previous);
    }
}
