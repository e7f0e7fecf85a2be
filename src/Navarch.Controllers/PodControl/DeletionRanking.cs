using System.Globalization;
using k8s.Models;

namespace Navarch.Controllers.PodControl;

/// <summary>
/// Which pods a controller gives up first when it scales down, in upstream's ActivePodsWithRanks order:
/// unscheduled before scheduled, Pending &lt; Unknown &lt; Running, not ready before ready, lower
/// pod-deletion-cost first, pods sharing a node with more of their siblings first, the most recently ready
/// first, more restarts first, the newest first (ready and creation times compared on a log2 scale, ties by uid).
/// </summary>
public static class DeletionRanking
{
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    /// <summary>
    /// The <paramref name="count"/> pods of <paramref name="pods"/> to delete; <paramref name="related"/> (usually
    /// the same pods) tells how crowded each node is.
    /// </summary>
    public static IReadOnlyList<V1Pod> PodsToDelete(IReadOnlyList<V1Pod> pods, IReadOnlyList<V1Pod> related, int count, DateTimeOffset now)
    {
        if (count >= pods.Count) return pods;
        var perNode = related.Where(PodFacts.IsActive).GroupBy(p => p.Spec?.NodeName ?? "").ToDictionary(g => g.Key, g => g.Count());
        var ranked = pods.Select(p => (Pod: p, Rank: perNode.GetValueOrDefault(p.Spec?.NodeName ?? ""))).ToList();
        var comparer = new Comparer(now);
        ranked.Sort((a, b) => comparer.Compare(a, b));
        return ranked.Take(count).Select(r => r.Pod).ToList();
    }

    /// <summary>Orders (pod, rank) pairs so that the pod to delete first comes first.</summary>
    public sealed class Comparer(DateTimeOffset now) : IComparer<(V1Pod Pod, int Rank)>
    {
        public int Compare((V1Pod Pod, int Rank) x, (V1Pod Pod, int Rank) y)
        {
            if (Less(x, y)) return -1;
            return Less(y, x) ? 1 : 0;
        }

        private bool Less((V1Pod Pod, int Rank) x, (V1Pod Pod, int Rank) y)
        {
            var (a, b) = (x.Pod, y.Pod);
            var (nodeA, nodeB) = (a.Spec?.NodeName ?? "", b.Spec?.NodeName ?? "");
            if (nodeA != nodeB && (nodeA.Length == 0 || nodeB.Length == 0)) return nodeA.Length == 0;
            if (PhaseOrdinal(a) != PhaseOrdinal(b)) return PhaseOrdinal(a) < PhaseOrdinal(b);
            var (readyA, readyB) = (PodFacts.IsReady(a), PodFacts.IsReady(b));
            if (readyA != readyB) return !readyA;
            var (costA, costB) = (DeletionCost(a), DeletionCost(b));
            if (costA != costB) return costA < costB;
            if (x.Rank != y.Rank) return x.Rank > y.Rank;
            if (readyA && readyB)
            {
                var (sinceA, sinceB) = (PodFacts.ReadySince(a), PodFacts.ReadySince(b));
                if (sinceA != sinceB) return NewerFirst(a, sinceA, b, sinceB);
            }
            var (restartsA, restartsB) = (PodFacts.MaxRestarts(a), PodFacts.MaxRestarts(b));
            if (restartsA != restartsB) return restartsA > restartsB;
            var (createdA, createdB) = (a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
            if (createdA != createdB) return NewerFirst(a, createdA, b, createdB);
            return false;
        }

        // Empty before set; otherwise the later time first, compared in log2 buckets of age so that pods of
        // about the same age are picked at random (by uid) rather than strictly the youngest.
        private bool NewerFirst(V1Pod a, DateTime? ta, V1Pod b, DateTime? tb)
        {
            if (ta is null || tb is null) return ta is null;
            var diff = LogBucket(ta.Value) - LogBucket(tb.Value);
            if (diff == 0) return string.CompareOrdinal(a.Metadata.Uid, b.Metadata.Uid) < 0;
            return diff < 0;
        }

        private long LogBucket(DateTime t)
        {
            // Go's time.Duration is in nanoseconds; the bucket is floor(log2(age in ns)).
            var ageNs = (now - new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc))).Ticks * 100.0;
            return ageNs > 0 ? (long)Math.Log2(ageNs) : -1;
        }
    }

    private static int PhaseOrdinal(V1Pod pod) => pod.Status?.Phase switch
    {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    };

    private static int DeletionCost(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(DeletionCostAnnotation, out var v) == true
        && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var cost) ? cost : 0;
}
