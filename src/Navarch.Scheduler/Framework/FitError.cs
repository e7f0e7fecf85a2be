using System.Text;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// Why a pod fits no node: the rejecting status of every node, summarized as upstream's FitError does, e.g.
/// <c>0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: 0/3 nodes
/// are available: 3 Preemption is not helpful for scheduling.</c>
/// </summary>
public sealed class FitError(int allNodes, IReadOnlyList<Status> nodeStatuses)
{
    /// <summary>Upstream's message when a pod could fit if pods were evicted, but Navarch never preempts.</summary>
    public const string NoVictims = "No preemption victims found for incoming pod";
    public const string NotHelpful = "Preemption is not helpful for scheduling";

    public int AllNodes { get; } = allNodes;
    /// <summary>The rejecting status of each node.</summary>
    public IReadOnlyList<Status> NodeStatuses { get; } = nodeStatuses;

    public string Message
    {
        get
        {
            var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
            int resolvable = 0, unresolvable = 0;
            foreach (var status in NodeStatuses)
            {
                foreach (var r in status.Reasons) reasons[r] = reasons.GetValueOrDefault(r) + 1;
                if (status.Code == StatusCode.Unschedulable) resolvable++;
                else unresolvable++;
            }
            var text = new StringBuilder($"0/{AllNodes} nodes are available:");
            var histogram = Histogram(reasons);
            if (histogram.Length > 0) text.Append(' ').Append(histogram).Append('.');
            // Upstream's preemption (PostFilter) then explains why evicting pods would not help.
            var preemption = new Dictionary<string, int>(StringComparer.Ordinal);
            if (resolvable > 0) preemption[NoVictims] = resolvable;
            if (unresolvable > 0) preemption[NotHelpful] = unresolvable;
            text.Append($" preemption: 0/{AllNodes} nodes are available: {Histogram(preemption)}.");
            return text.ToString();
        }
    }

    public override string ToString() => Message;

    // "N reason" items sorted as strings (so "10 x" sorts before "2 y", as upstream's sort.Strings does).
    private static string Histogram(Dictionary<string, int> counts) =>
        string.Join(", ", counts.Select(p => $"{p.Value} {p.Key}").Order(StringComparer.Ordinal));
}
