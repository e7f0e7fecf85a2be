using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// A ReplicaSet of a Deployment as the rollout planner sees it: the cached object (never changed) and the
/// <c>spec.replicas</c> the plan gives it. The controller writes the sets whose <see cref="Replicas"/> changed.
/// </summary>
public sealed class PlannedSet(V1ReplicaSet set)
{
    public V1ReplicaSet Set { get; } = set;
    public string Name => Set.Metadata.Name;
    /// <summary>The planned spec.replicas (starts at the current one).</summary>
    public int Replicas { get; set; } = set.Spec?.Replicas ?? 1;
    /// <summary>The replicas the set had when the plan began.</summary>
    public int Current => Set.Spec?.Replicas ?? 1;
    public int Available => Set.Status?.AvailableReplicas ?? 0;
    public int Ready => Set.Status?.ReadyReplicas ?? 0;
    /// <summary>Pods the set has now (status.replicas).</summary>
    public int Actual => Set.Status?.Replicas ?? 0;
    public DateTime Created => Set.Metadata.CreationTimestamp ?? DateTime.MinValue;
    public bool Changed => Replicas != Current;

    /// <summary>Oldest first, ties by name (upstream's ReplicaSetsByCreationTimestamp).</summary>
    public static int ByCreation(PlannedSet a, PlannedSet b)
    {
        var c = a.Created.CompareTo(b.Created);
        return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
    }
}
