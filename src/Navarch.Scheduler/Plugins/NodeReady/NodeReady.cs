using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.NodeReady;

/// <summary>
/// Filter: the node's Ready condition is True. (Upstream leaves this to the not-ready/unreachable taints the node
/// lifecycle controller adds; checking the condition as well covers nodes no controller has tainted yet.
/// It runs after <see cref="TaintToleration.TaintToleration"/> so a tainted node is reported by its taint, as upstream.)
/// </summary>
public sealed class NodeReady : IFilterPlugin
{
    /// <summary>The reason of the CheckNodeCondition predicate upstream had before taints replaced it.</summary>
    public const string Reason = "node(s) were not ready";

    public string Name => "NodeReady";

    public Status Filter(CycleState state, NodeInfo node) => node.Ready ? Status.Success : Status.Unresolvable(Reason);
}
