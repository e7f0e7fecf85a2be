using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins;

/// <summary>The plugins Navarch's scheduler runs, in upstream's default order.</summary>
public static class DefaultProfile
{
    /// <summary>
    /// Filters: unschedulable, taints (before readiness, so an unreachable node is reported by its taint as
    /// upstream does), ready, node affinity/selector, host ports, resources. Scores: spreading weighs most
    /// (the seed's two replicas must land apart), then free resources; an untolerated PreferNoSchedule taint
    /// is a small penalty.
    /// </summary>
    public static Profile Create()
    {
        var taints = new TaintToleration.TaintToleration();
        return new Profile(
            [new NodeUnschedulable.NodeUnschedulable(), taints, new NodeReady.NodeReady(), new NodeAffinity.NodeAffinity(),
             new NodePorts.NodePorts(), new NodeResourcesFit.NodeResourcesFit()],
            [new WeightedScore(new SelectorSpread.SelectorSpread(), 2), new WeightedScore(new NodeResourcesFit.LeastAllocated(), 1),
             new WeightedScore(taints, 1)]);
    }
}
