using k8s.Models;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>
/// The taints the controller keeps on a node from its conditions (upstream's doNoScheduleTaintingPass and
/// processTaintBaseEviction): NoSchedule taints for not-ready, unreachable, pressures, network and
/// unschedulable; NoExecute not-ready/unreachable taints that evict pods, added only in a normal zone.
/// </summary>
public static class NodeTaintRules
{
    private static readonly HashSet<string> Managed =
    [
        NodeKeys.UnreachableTaint, NodeKeys.NotReadyTaint, NodeKeys.MemoryPressureTaint, NodeKeys.DiskPressureTaint,
        NodeKeys.PidPressureTaint, NodeKeys.NetworkUnavailableTaint, NodeKeys.UnschedulableTaint,
    ];

    /// <summary>
    /// The node's taints as they should be: others' taints kept, ours added or removed. A NoExecute taint that
    /// stays keeps its timeAdded; not-ready turns into unreachable (and back) at once whatever the zone state;
    /// in full disruption every NoExecute taint of ours goes.
    /// </summary>
    public static List<V1Taint> Desired(V1Node node, string? readyStatus, ZoneState zone, DateTime now)
    {
        var current = node.Spec?.Taints ?? [];
        var result = current.Where(t => !Managed.Contains(t.Key)).ToList();

        // NoSchedule, straight from the conditions.
        var want = new List<string>();
        if (readyStatus == "False") want.Add(NodeKeys.NotReadyTaint);
        else if (readyStatus != "True") want.Add(NodeKeys.UnreachableTaint);
        if (Condition(node, "MemoryPressure") == "True") want.Add(NodeKeys.MemoryPressureTaint);
        if (Condition(node, "DiskPressure") == "True") want.Add(NodeKeys.DiskPressureTaint);
        if (Condition(node, "PIDPressure") == "True") want.Add(NodeKeys.PidPressureTaint);
        if (Condition(node, "NetworkUnavailable") == "True") want.Add(NodeKeys.NetworkUnavailableTaint);
        if (node.Spec?.Unschedulable == true) want.Add(NodeKeys.UnschedulableTaint);
        foreach (var key in want)
            result.Add(current.FirstOrDefault(t => t.Key == key && t.Effect == NodeKeys.NoSchedule) ?? new V1Taint { Key = key, Effect = NodeKeys.NoSchedule });

        // NoExecute: the one that evicts.
        if (readyStatus != "True" && zone != ZoneState.FullDisruption)
        {
            var key = readyStatus == "False" ? NodeKeys.NotReadyTaint : NodeKeys.UnreachableTaint;
            var other = key == NodeKeys.NotReadyTaint ? NodeKeys.UnreachableTaint : NodeKeys.NotReadyTaint;
            var existing = current.FirstOrDefault(t => t.Key == key && t.Effect == NodeKeys.NoExecute);
            var swapping = current.Any(t => t.Key == other && t.Effect == NodeKeys.NoExecute);
            if (existing is not null) result.Add(existing);
            else if (swapping || zone == ZoneState.Normal) result.Add(new V1Taint { Key = key, Effect = NodeKeys.NoExecute, TimeAdded = now });
        }
        return result;
    }

    /// <summary>True when both lists hold the same taints (key, value, effect), in any order.</summary>
    public static bool Same(IEnumerable<V1Taint>? a, IEnumerable<V1Taint>? b) =>
        Keys(a).SetEquals(Keys(b));

    /// <summary>The node's NoExecute taints.</summary>
    public static IEnumerable<V1Taint> NoExecute(V1Node? node) =>
        node?.Spec?.Taints?.Where(t => t.Effect == NodeKeys.NoExecute) ?? [];

    private static HashSet<string> Keys(IEnumerable<V1Taint>? taints) =>
        (taints ?? []).Select(t => $"{t.Key}={t.Value}:{t.Effect}").ToHashSet();

    private static string? Condition(V1Node node, string type) =>
        node.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status;
}
