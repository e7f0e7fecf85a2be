using k8s.Models;

namespace Navarch.Controllers.NodeLifecycle;

/// <summary>When a pod on a NoExecute-tainted node must go.</summary>
/// <param name="Evict">True when the pod must be deleted at <paramref name="At"/> (now or later).</param>
/// <param name="At">The deadline; null when the pod may stay (no NoExecute taint, or tolerated forever).</param>
public sealed record EvictionDecision(bool Evict, DateTime? At)
{
    public static readonly EvictionDecision Stay = new(false, null);
}

/// <summary>
/// Upstream's taint eviction rules: a NoExecute taint that no toleration of the pod tolerates evicts it at once;
/// one tolerated with <c>tolerationSeconds</c> evicts it that long after the taint was added (the smallest
/// deadline wins); tolerated without a limit, never.
/// </summary>
public static class TaintEvictionRules
{
    /// <param name="taintSeen">When this controller first saw the taint, used when the taint has no timeAdded.</param>
    public static EvictionDecision Decide(V1Pod pod, IEnumerable<V1Taint> noExecuteTaints, DateTime now, Func<V1Taint, DateTime>? taintSeen = null)
    {
        DateTime? deadline = null;
        foreach (var taint in noExecuteTaints.Where(t => t.Effect == NodeKeys.NoExecute))
        {
            var matching = (pod.Spec?.Tolerations ?? []).Where(t => Tolerates(t, taint)).ToList();
            if (matching.Count == 0) return new EvictionDecision(true, now);
            if (matching.Any(t => t.TolerationSeconds is null)) continue;
            var seconds = Math.Max(0, matching.Min(t => t.TolerationSeconds!.Value));
            var start = taint.TimeAdded ?? taintSeen?.Invoke(taint) ?? now;
            var at = start.AddSeconds(seconds);
            if (deadline is null || at < deadline) deadline = at;
        }
        return deadline is null ? EvictionDecision.Stay : new EvictionDecision(true, deadline);
    }

    /// <summary>Upstream's Toleration.ToleratesTaint: effect (empty = all), key (empty with Exists = all), operator Exists or Equal.</summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect) return false;
        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key) return false;
        return toleration.OperatorProperty switch
        {
            "Exists" => true,
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            _ => false,
        };
    }
}
