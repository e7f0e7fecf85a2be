using k8s.Models;
using Navarch.Api.Selectors;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// The read-only view of the cluster a scheduling cycle works on. Stays unchanged for the duration of one
/// cycle (its owner guarantees that, e.g. by holding a lock).
/// </summary>
public interface IClusterSnapshot
{
    /// <summary>Every known node, in a stable order (sampling walks it round-robin).</summary>
    IReadOnlyList<NodeInfo> Nodes { get; }

    /// <summary>
    /// The selectors of the services and replication controllers in the pod's namespace that select the pod:
    /// the pods they also select are its "siblings" for spreading. Empty when nothing selects it.
    /// </summary>
    IReadOnlyList<LabelSelector> SpreadSelectors(V1Pod pod);
}

/// <summary>A fixed snapshot: nodes and selectors given up front (tests, benchmarks).</summary>
public sealed class StaticSnapshot(IReadOnlyList<NodeInfo> nodes, IReadOnlyList<LabelSelector>? selectors = null) : IClusterSnapshot
{
    public IReadOnlyList<NodeInfo> Nodes => nodes;

    public IReadOnlyList<LabelSelector> SpreadSelectors(V1Pod pod) =>
        selectors?.Where(s => s.Matches(pod.Metadata.Labels)).ToList() ?? [];
}
