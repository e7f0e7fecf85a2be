using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodePorts;

/// <summary>Filter: no host port of the pod is already taken on the node (same protocol and port, overlapping address).</summary>
public sealed class NodePorts : IFilterPlugin
{
    public const string Reason = "node(s) didn't have free ports for the requested pod ports";

    public string Name => "NodePorts";

    public Status Filter(CycleState state, NodeInfo node)
    {
        var wanted = state.Pod.HostPorts;
        if (wanted.Count == 0 || node.UsedPorts.Count == 0) return Status.Success;
        foreach (var want in wanted)
            foreach (var used in node.UsedPorts)
                if (want.ConflictsWith(used)) return Status.Unschedulable(Reason);
        return Status.Success;
    }
}
