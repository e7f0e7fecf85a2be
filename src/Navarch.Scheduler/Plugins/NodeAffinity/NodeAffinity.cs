using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeAffinity;

/// <summary>Filter: the node has every label of spec.nodeSelector and matches the required node affinity, if any.</summary>
public sealed class NodeAffinity : IFilterPlugin
{
    public const string Reason = "node(s) didn't match Pod's node affinity/selector";

    public string Name => "NodeAffinity";

    public Status Filter(CycleState state, NodeInfo node)
    {
        var spec = state.Pod.Pod.Spec;
        var required = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        if (spec.NodeSelector is not { Count: > 0 } && required is null) return Status.Success;
        if (node.Node is null) return Status.Unresolvable(Reason);
        var labels = node.Node.Metadata.Labels;
        foreach (var (key, value) in spec.NodeSelector ?? new Dictionary<string, string>())
            if (labels is null || !labels.TryGetValue(key, out var have) || have != value) return Status.Unresolvable(Reason);
        if (required is not null && !NodeSelectorMatcher.Matches(required, node.Node)) return Status.Unresolvable(Reason);
        return Status.Success;
    }
}
