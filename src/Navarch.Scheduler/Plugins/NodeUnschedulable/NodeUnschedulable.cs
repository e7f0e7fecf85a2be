using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.TaintToleration;

namespace Navarch.Scheduler.Plugins.NodeUnschedulable;

/// <summary>Filter: no pods onto a cordoned node (spec.unschedulable), unless the pod tolerates the unschedulable taint.</summary>
public sealed class NodeUnschedulable : IFilterPlugin
{
    public const string Reason = "node(s) were unschedulable";
    private static readonly V1Taint UnschedulableTaint = new() { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" };

    public string Name => "NodeUnschedulable";

    public Status Filter(CycleState state, NodeInfo node)
    {
        if (node.Node?.Spec?.Unschedulable != true) return Status.Success;
        return Tolerations.AnyTolerates(state.Pod.Pod.Spec.Tolerations, UnschedulableTaint) ? Status.Success : Status.Unresolvable(Reason);
    }
}
