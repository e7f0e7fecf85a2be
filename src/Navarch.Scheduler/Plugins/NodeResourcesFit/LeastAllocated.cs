using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeResourcesFit;

/// <summary>
/// Score: the emptier the node after placing the pod, the better: the mean over cpu and memory of
/// (allocatable - requested) * 100 / allocatable, with upstream's non-zero default requests.
/// </summary>
public sealed class LeastAllocated : IScorePlugin
{
    public string Name => "NodeResourcesFit";

    public long Score(CycleState state, NodeInfo node)
    {
        var requested = node.NonZeroRequested + state.Pod.NonZeroRequests;
        return (Free(node.Allocatable.MilliCpu, requested.MilliCpu) + Free(node.Allocatable.Memory, requested.Memory)) / 2;
    }

    private static long Free(long allocatable, long requested) =>
        allocatable == 0 || requested > allocatable ? 0 : (allocatable - requested) * Scoring.MaxNodeScore / allocatable;
}
