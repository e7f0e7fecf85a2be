using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// How many replicas each ReplicaSet of a Deployment should have, as pure functions over <see cref="PlannedSet"/>s
/// (upstream's rolling.go, recreate.go and sync.go's scale). Functions change <see cref="PlannedSet.Replicas"/>
/// of the sets they are given and say whether they changed any.
/// </summary>
public static class RolloutPlanner
{
    public static bool IsRollingUpdate(V1Deployment d) => d.Spec?.Strategy?.Type is null or "RollingUpdate";

    /// <summary>maxSurge and maxUnavailable as numbers (upstream's ResolveFenceposts): surge rounds up, unavailable down; never both 0.</summary>
    public static (int Surge, int Unavailable) Fenceposts(V1Deployment d)
    {
        var replicas = Revisions.Replicas(d);
        var rolling = d.Spec?.Strategy?.RollingUpdate;
        var surge = IntOrPercent.Scaled(rolling?.MaxSurge, replicas, roundUp: true, fallback: Percent25(replicas, true));
        var unavailable = IntOrPercent.Scaled(rolling?.MaxUnavailable, replicas, roundUp: false, fallback: Percent25(replicas, false));
        if (surge == 0 && unavailable == 0) unavailable = 1;
        return (surge, unavailable);
    }

    // The defaults of both are 25%.
    private static int Percent25(int replicas, bool roundUp) => IntOrPercent.Scaled("25%", replicas, roundUp, 0);

    public static int MaxSurge(V1Deployment d) => IsRollingUpdate(d) ? Fenceposts(d).Surge : 0;

    public static int MaxUnavailable(V1Deployment d)
    {
        var replicas = Revisions.Replicas(d);
        if (!IsRollingUpdate(d) || replicas == 0) return 0;
        return Math.Min(Fenceposts(d).Unavailable, replicas);
    }

    /// <summary>Upstream's NewRSNewReplicas: the new set grows up to replicas + maxSurge pods in all (Recreate: straight to replicas).</summary>
    public static int NewSetReplicas(V1Deployment d, IReadOnlyList<PlannedSet> all, PlannedSet newSet)
    {
        var replicas = Revisions.Replicas(d);
        if (!IsRollingUpdate(d)) return replicas;
        var maxTotal = replicas + MaxSurge(d);
        var current = all.Sum(s => s.Replicas);
        if (current >= maxTotal) return newSet.Replicas;
        return newSet.Replicas + Math.Min(maxTotal - current, replicas - newSet.Replicas);
    }

    /// <summary>Upstream's reconcileNewReplicaSet: shrink a too-large new set, or grow it within the surge.</summary>
    public static bool ReconcileNewSet(V1Deployment d, IReadOnlyList<PlannedSet> all, PlannedSet newSet)
    {
        var replicas = Revisions.Replicas(d);
        if (newSet.Replicas == replicas) return false;
        newSet.Replicas = newSet.Replicas > replicas ? replicas : NewSetReplicas(d, all, newSet);
        return newSet.Changed;
    }

    /// <summary>
    /// Upstream's reconcileOldReplicaSets: scale old sets down as far as maxUnavailable allows, unhealthy
    /// replicas first, while the new set's unavailable pods count against the budget.
    /// </summary>
    public static bool ReconcileOldSets(V1Deployment d, IReadOnlyList<PlannedSet> all, IReadOnlyList<PlannedSet> oldSets, PlannedSet newSet)
    {
        if (oldSets.Sum(s => s.Replicas) == 0) return false;
        var minAvailable = Revisions.Replicas(d) - MaxUnavailable(d);
        var newUnavailable = newSet.Replicas - newSet.Available;
        var maxScaledDown = all.Sum(s => s.Replicas) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) return false;
        var cleaned = CleanupUnhealthyReplicas(oldSets, maxScaledDown);
        var scaledDown = ScaleDownOldSetsForRollingUpdate(d, all, oldSets);
        return cleaned + scaledDown > 0;
    }

    /// <summary>Scales old sets down by their unavailable replicas first (oldest set first), at most <paramref name="maxCleanup"/> in all.</summary>
    public static int CleanupUnhealthyReplicas(IReadOnlyList<PlannedSet> oldSets, int maxCleanup)
    {
        var total = 0;
        foreach (var s in oldSets.OrderBy(s => s, Comparer<PlannedSet>.Create(PlannedSet.ByCreation)))
        {
            if (total >= maxCleanup) break;
            if (s.Replicas == 0 || s.Replicas == s.Available) continue;
            var down = Math.Min(maxCleanup - total, s.Replicas - s.Available);
            s.Replicas -= down;
            total += down;
        }
        return total;
    }

    /// <summary>Scales old sets down (oldest first) by as many as are available beyond replicas - maxUnavailable.</summary>
    public static int ScaleDownOldSetsForRollingUpdate(V1Deployment d, IReadOnlyList<PlannedSet> all, IReadOnlyList<PlannedSet> oldSets)
    {
        var minAvailable = Revisions.Replicas(d) - MaxUnavailable(d);
        var available = all.Sum(s => s.Available);
        if (available <= minAvailable) return 0;
        var budget = available - minAvailable;
        var total = 0;
        foreach (var s in oldSets.OrderBy(s => s, Comparer<PlannedSet>.Create(PlannedSet.ByCreation)))
        {
            if (total >= budget) break;
            if (s.Replicas == 0) continue;
            var down = Math.Min(s.Replicas, budget - total);
            s.Replicas -= down;
            total += down;
        }
        return total;
    }

    /// <summary>Recreate's first step: every active old set to 0. Returns whether any changed.</summary>
    public static bool ScaleDownOldSetsForRecreate(IReadOnlyList<PlannedSet> oldSets)
    {
        var changed = false;
        foreach (var s in oldSets.Where(s => s.Replicas > 0))
        {
            s.Replicas = 0;
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// Upstream's isScalingEvent: some active set was sized for another spec.replicas than the Deployment's now
    /// (its desired-replicas annotation differs): a resize, not a template change.
    /// </summary>
    public static bool IsScalingEvent(V1Deployment d, IEnumerable<V1ReplicaSet> sets) =>
        sets.Where(s => (s.Spec?.Replicas ?? 1) > 0).Any(s => Revisions.DesiredOf(s) is { } desired && desired != Revisions.Replicas(d));

    /// <summary>
    /// Upstream's scale: a resize of the Deployment. With one active set (or none) that set takes the new size;
    /// once the new set is saturated, old sets go to 0; during a rolling update the difference is shared among
    /// the active sets in proportion to their size (larger and newer first when adding, older first when removing).
    /// </summary>
    public static void Scale(V1Deployment d, PlannedSet? newSet, IReadOnlyList<PlannedSet> oldSets)
    {
        var replicas = Revisions.Replicas(d);
        if (ActiveOrLatest(newSet, oldSets) is { } only)
        {
            only.Replicas = replicas;
            return;
        }
        if (newSet is not null && IsSaturated(d, newSet))
        {
            foreach (var s in oldSets.Where(s => s.Replicas > 0)) s.Replicas = 0;
            return;
        }
        if (!IsRollingUpdate(d)) return;
        var active = oldSets.Append(newSet).OfType<PlannedSet>().Where(s => s.Replicas > 0).ToList();
        var allowed = replicas > 0 ? replicas + MaxSurge(d) : 0;
        var toAdd = allowed - active.Sum(s => s.Replicas);
        if (toAdd == 0) return;
        // Larger first; ties: newer first when adding, older first when removing.
        active.Sort((a, b) =>
        {
            if (a.Replicas != b.Replicas) return b.Replicas.CompareTo(a.Replicas);
            return toAdd > 0 ? PlannedSet.ByCreation(b, a) : PlannedSet.ByCreation(a, b);
        });
        var added = 0;
        var sizes = active.ToDictionary(s => s, s => s.Replicas);
        foreach (var s in active)
        {
            var proportion = Proportion(d, s, toAdd, added);
            sizes[s] += proportion;
            added += proportion;
        }
        if (toAdd != added) sizes[active[0]] = Math.Max(0, sizes[active[0]] + toAdd - added);
        foreach (var s in active) s.Replicas = sizes[s];
    }

    // The share of a resize that one set takes (upstream's GetProportion and getReplicaSetFraction).
    private static int Proportion(V1Deployment d, PlannedSet s, int toAdd, int added)
    {
        if (s.Replicas == 0 || toAdd == 0 || toAdd == added) return 0;
        int fraction;
        var replicas = Revisions.Replicas(d);
        if (replicas == 0) fraction = -s.Replicas;
        else
        {
            var sizedFor = Revisions.MaxOf(s.Set) ?? d.Status?.Replicas ?? 0;
            var target = sizedFor == 0 ? s.Replicas : (int)Math.Round((double)s.Replicas * (replicas + MaxSurge(d)) / sizedFor, MidpointRounding.AwayFromZero);
            fraction = target - s.Replicas;
        }
        var allowedLeft = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowedLeft) : Math.Max(fraction, allowedLeft);
    }

    /// <summary>The one set to resize when at most one is active (upstream's FindActiveOrLatest); null when several are.</summary>
    public static PlannedSet? ActiveOrLatest(PlannedSet? newSet, IReadOnlyList<PlannedSet> oldSets)
    {
        if (newSet is null && oldSets.Count == 0) return null;
        var active = oldSets.Append(newSet).OfType<PlannedSet>().Where(s => s.Replicas > 0).ToList();
        return active.Count switch
        {
            0 => newSet ?? oldSets.OrderBy(s => s, Comparer<PlannedSet>.Create((a, b) => PlannedSet.ByCreation(b, a))).First(),
            1 => active[0],
            _ => null,
        };
    }

    /// <summary>The new set has all the replicas, was sized for them, and all are available.</summary>
    public static bool IsSaturated(V1Deployment d, PlannedSet newSet) =>
        newSet.Replicas == Revisions.Replicas(d) && Revisions.DesiredOf(newSet.Set) == Revisions.Replicas(d) && newSet.Available == Revisions.Replicas(d);
}
