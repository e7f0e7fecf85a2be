using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// Filter: the pod's requests fit in the node's allocatable minus what the pods already there (bound or
/// assumed) request: one more pod within "pods", and cpu and memory (each reason counted separately).
/// A request larger than the whole node is unresolvable (evicting pods would not help).
/// </summary>
public sealed class NodeResourcesFit : IFilterPlugin
{
    public const string TooManyPods = "Too many pods";
    public const string InsufficientCpu = "Insufficient cpu";
    public const string InsufficientMemory = "Insufficient memory";

    public string Name => "NodeResourcesFit";

    public Status Filter(CycleState state, NodeInfo node)
    {
        var want = state.Pod.Requests;
        var have = node.Allocatable;
        var used = node.Requested;
        List<string>? reasons = null;
        var unresolvable = false;
        if (used.Pods + 1 > have.Pods) (reasons ??= []).Add(TooManyPods);
        if (want.MilliCpu > 0 && want.MilliCpu > have.MilliCpu - used.MilliCpu)
        {
            (reasons ??= []).Add(InsufficientCpu);
            unresolvable |= want.MilliCpu > have.MilliCpu;
        }
        if (want.Memory > 0 && want.Memory > have.Memory - used.Memory)
        {
            (reasons ??= []).Add(InsufficientMemory);
            unresolvable |= want.Memory > have.Memory;
        }
        if (reasons is null) return Status.Success;
        return unresolvable ? Status.Unresolvable([.. reasons]) : Status.Unschedulable([.. reasons]);
    }
}
