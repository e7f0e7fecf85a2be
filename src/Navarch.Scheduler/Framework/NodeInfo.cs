using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// One node and the aggregates of the pods on it (bound or assumed), kept up to date incrementally so a
/// scheduling cycle never re-sums pods. Not thread-safe: its owner (the cache) serializes access.
/// </summary>
public sealed class NodeInfo
{
    private readonly List<PodInfo> _pods = [];
    private readonly List<HostPort> _usedPorts = [];
    // The same pods counted by namespace and exact label set: spreading asks "how many siblings here" of hundreds
    // of nodes per cycle, and pods of one controller share their labels, so this is one or two entries per node.
    private readonly Dictionary<string, Dictionary<string, LabelGroup>> _groups = new(StringComparer.Ordinal);

    /// <summary>A node not yet known (pods may name it before the node arrives); <see cref="Node"/> is null.</summary>
    public NodeInfo(string name) => Name = name;

    public NodeInfo(V1Node node) : this(node.Metadata.Name) => SetNode(node);

    public string Name { get; }
    public V1Node? Node { get; private set; }
    /// <summary>Condition Ready is True.</summary>
    public bool Ready { get; private set; }
    public Resources Allocatable { get; private set; }
    /// <summary>Sum of the requests of the pods here (Pods = their count).</summary>
    public Resources Requested { get; private set; }
    /// <summary>Sum of the requests with upstream's non-zero defaults, for scoring.</summary>
    public Resources NonZeroRequested { get; private set; }
    public IReadOnlyList<PodInfo> Pods => _pods;
    public IReadOnlyList<HostPort> UsedPorts => _usedPorts;

    /// <summary>The pods here in one namespace, grouped by label set (and whether they are being deleted); null if none.</summary>
    public Dictionary<string, LabelGroup>.ValueCollection? LabelGroupsIn(string ns) => _groups.TryGetValue(ns, out var groups) ? groups.Values : null;

    /// <summary>Takes a new version of the node.</summary>
    public void SetNode(V1Node? node)
    {
        Node = node;
        Ready = node?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") ?? false;
        Allocatable = Resources.From(node?.Status?.Allocatable ?? node?.Status?.Capacity);
    }

    public void AddPod(PodInfo pod)
    {
        _pods.Add(pod);
        if (!_groups.TryGetValue(pod.Namespace, out var groups)) _groups[pod.Namespace] = groups = new(StringComparer.Ordinal);
        if (!groups.TryGetValue(pod.LabelKey, out var group)) groups[pod.LabelKey] = group = new LabelGroup(pod.LabelKey, pod.Pod.Metadata.Labels, pod.Terminating);
        group.Count++;
        _usedPorts.AddRange(pod.HostPorts);
        Requested += pod.Requests;
        NonZeroRequested += pod.NonZeroRequests;
    }

    /// <summary>Removes the pod with this key; false if it is not here.</summary>
    public bool RemovePod(string key)
    {
        var at = _pods.FindIndex(p => p.Key == key);
        if (at < 0) return false;
        var pod = _pods[at];
        _pods[at] = _pods[^1];
        _pods.RemoveAt(_pods.Count - 1);
        var groups = _groups[pod.Namespace];
        if (--groups[pod.LabelKey].Count == 0) groups.Remove(pod.LabelKey);
        if (groups.Count == 0) _groups.Remove(pod.Namespace);
        foreach (var port in pod.HostPorts) _usedPorts.Remove(port);
        Requested -= pod.Requests;
        NonZeroRequested -= pod.NonZeroRequests;
        return true;
    }
}

/// <summary>How many pods on a node share one label set (and deletion state) in one namespace.</summary>
public sealed class LabelGroup(string key, IDictionary<string, string>? labels, bool terminating)
{
    /// <summary>The <see cref="PodInfo.LabelKey"/> of its pods.</summary>
    public string Key { get; } = key;
    public IDictionary<string, string>? Labels { get; } = labels;
    public bool Terminating { get; } = terminating;
    public int Count { get; internal set; }
}
