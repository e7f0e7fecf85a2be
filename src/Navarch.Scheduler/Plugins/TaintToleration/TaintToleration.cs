using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.TaintToleration;

/// <summary>
/// Filter: every NoSchedule and NoExecute taint of the node must be tolerated (the first one that is not names
/// the reason). Score: fewer untolerated PreferNoSchedule taints is better.
/// </summary>
public sealed class TaintToleration : IFilterPlugin, IScorePlugin
{
    private const string StateKey = "TaintToleration";

    public string Name => "TaintToleration";

    public Status Filter(CycleState state, NodeInfo node)
    {
        var taints = node.Node?.Spec?.Taints;
        if (taints is null) return Status.Success;
        var tolerations = state.Pod.Pod.Spec.Tolerations;
        foreach (var taint in taints)
        {
            if (taint.Effect is not ("NoSchedule" or "NoExecute")) continue;
            if (!Tolerations.AnyTolerates(tolerations, taint))
                return Status.Unresolvable($"node(s) had untolerated taint {{{taint.Key}: {taint.Value}}}");
        }
        return Status.Success;
    }

    public bool PreScore(CycleState state, IReadOnlyList<NodeInfo> feasible)
    {
        // Only tolerations that could apply to PreferNoSchedule count, as upstream.
        var tolerations = state.Pod.Pod.Spec.Tolerations?.Where(t => string.IsNullOrEmpty(t.Effect) || t.Effect == "PreferNoSchedule").ToList() ?? [];
        state.Write(StateKey, tolerations);
        return true;
    }

    public long Score(CycleState state, NodeInfo node)
    {
        var taints = node.Node?.Spec?.Taints;
        if (taints is null) return 0;
        var tolerations = state.Read<List<V1Toleration>>(StateKey);
        long untolerated = 0;
        foreach (var taint in taints)
            if (taint.Effect == "PreferNoSchedule" && !Tolerations.AnyTolerates(tolerations, taint)) untolerated++;
        return untolerated;
    }

    public void Normalize(CycleState state, Span<long> scores) => Scoring.NormalizeToMax(scores, reverse: true);
}
