using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Cache;

/// <summary>
/// The scheduler's picture of nodes and of the pods on them, aggregated per node and updated incrementally
/// from the informers. It also holds "assumed" pods: bound by this scheduler but not yet seen bound through the
/// watch, so that a burst of decisions never places more on a node than fits (upstream's assume/forget).
/// Every member takes <see cref="Sync"/>; a scheduling cycle holds it to see an unchanging snapshot.
/// </summary>
public sealed class SchedulerCache
{
    private readonly Dictionary<string, NodeInfo> _infos = new(StringComparer.Ordinal);
    // The nodes that exist, in the order cycles walk them (a node removal swaps the last one into its place).
    private readonly List<NodeInfo> _nodes = [];
    private readonly Dictionary<string, int> _nodeIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Node, bool Assumed)> _pods = new(StringComparer.Ordinal);

    /// <summary>The lock every member takes; hold it across a cycle to keep <see cref="Nodes"/> still.</summary>
    public object Sync { get; } = new();

    /// <summary>The nodes that exist; read only while holding <see cref="Sync"/>.</summary>
    public IReadOnlyList<NodeInfo> Nodes => _nodes;

    public int NodeCount { get { lock (Sync) return _nodes.Count; } }

    public int AssumedCount { get { lock (Sync) return _pods.Values.Count(p => p.Assumed); } }

    public void AddOrUpdateNode(V1Node node)
    {
        lock (Sync)
        {
            var info = InfoFor(node.Metadata.Name);
            info.SetNode(node);
            if (_nodeIndex.ContainsKey(info.Name)) return;
            _nodeIndex[info.Name] = _nodes.Count;
            _nodes.Add(info);
        }
    }

    public void RemoveNode(string name)
    {
        lock (Sync)
        {
            if (!_nodeIndex.Remove(name, out var at)) return;
            var last = _nodes[^1];
            _nodes[at] = last;
            _nodes.RemoveAt(_nodes.Count - 1);
            if (last.Name != name) _nodeIndex[last.Name] = at;
            var info = _infos[name];
            info.SetNode(null);
            // Pods still bound to it stay accounted until they go, as upstream keeps a node-less NodeInfo.
            if (info.Pods.Count == 0) _infos.Remove(name);
        }
    }

    /// <summary>
    /// A pod the API shows bound (spec.nodeName set): add it, replace its previous version, or confirm the
    /// assumed copy. Terminal pods (Succeeded, Failed) no longer use their node and are removed.
    /// </summary>
    public void AddOrUpdatePod(V1Pod pod)
    {
        var info = new PodInfo(pod);
        lock (Sync)
        {
            RemoveLocked(info.Key);
            if (pod.Status?.Phase is "Succeeded" or "Failed" || string.IsNullOrEmpty(pod.Spec.NodeName)) return;
            InfoFor(pod.Spec.NodeName).AddPod(info);
            _pods[info.Key] = (pod.Spec.NodeName, false);
        }
    }

    public void RemovePod(string key)
    {
        lock (Sync) RemoveLocked(key);
    }

    /// <summary>Counts the pod on the node before the API confirms the binding. No-op if the pod is already known bound.</summary>
    public void Assume(PodInfo pod, string nodeName)
    {
        lock (Sync)
        {
            if (_pods.ContainsKey(pod.Key)) return;
            InfoFor(nodeName).AddPod(pod);
            _pods[pod.Key] = (nodeName, true);
        }
    }

    /// <summary>Undoes <see cref="Assume"/> after a failed binding; leaves a pod the watch already showed bound alone.</summary>
    public void Forget(string key)
    {
        lock (Sync)
        {
            if (_pods.TryGetValue(key, out var entry) && entry.Assumed) RemoveLocked(key);
        }
    }

    /// <summary>Whether the pod is on a node, and which (for tests and diagnostics).</summary>
    public (string Node, bool Assumed)? Placement(string key)
    {
        lock (Sync) return _pods.TryGetValue(key, out var e) ? e : null;
    }

    private void RemoveLocked(string key)
    {
        if (!_pods.Remove(key, out var entry)) return;
        if (!_infos.TryGetValue(entry.Node, out var info)) return;
        info.RemovePod(key);
        if (info.Node is null && info.Pods.Count == 0) _infos.Remove(entry.Node);
    }

    private NodeInfo InfoFor(string name)
    {
        if (!_infos.TryGetValue(name, out var info)) _infos[name] = info = new NodeInfo(name);
        return info;
    }
}
