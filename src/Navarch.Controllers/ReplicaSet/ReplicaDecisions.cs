using k8s.Models;
using Navarch.Api.Selectors;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.ReplicaSet;

/// <param name="Create">How many pods to create now (at most the burst).</param>
/// <param name="Delete">Which pods to delete now, best candidates first.</param>
public sealed record ScaleDecision(int Create, IReadOnlyList<V1Pod> Delete);

/// <summary>
/// What a ReplicaSet (or a ReplicationController seen as one) should do, as pure functions of what its informers
/// show (upstream's replica_set.go).
/// </summary>
public static class ReplicaDecisions
{
    /// <summary>Most pods created or deleted in one sync (upstream's BurstReplicas).</summary>
    public const int BurstReplicas = 500;

    /// <summary>Upstream's ClaimPods over the active pods of the set's namespace.</summary>
    public static Claim<V1Pod> Claim(V1ReplicaSet rs, IEnumerable<V1Pod> pods) =>
        ControllerRefs.Claim(rs.Metadata, LabelSelector.FromLabelSelector(rs.Spec?.Selector), pods.Where(PodFacts.IsActive));

    /// <summary>
    /// Upstream's manageReplicas: create the missing pods or delete the surplus (best candidates first), at most
    /// <see cref="BurstReplicas"/> either way.
    /// </summary>
    public static ScaleDecision Scale(int replicas, IReadOnlyList<V1Pod> owned, DateTimeOffset now)
    {
        var diff = owned.Count - replicas;
        if (diff < 0) return new ScaleDecision(Math.Min(-diff, BurstReplicas), []);
        if (diff > 0) return new ScaleDecision(0, DeletionRanking.PodsToDelete(owned, owned, Math.Min(diff, BurstReplicas), now));
        return new ScaleDecision(0, []);
    }

    /// <summary>
    /// The status the set should show: counts over the owned active pods, the observed generation, and a
    /// ReplicaFailure condition while creating or deleting fails (<paramref name="failure"/>: reason and message).
    /// </summary>
    public static V1ReplicaSetStatus Status(V1ReplicaSet rs, IReadOnlyList<V1Pod> owned, (string Reason, string Message)? failure, DateTimeOffset now)
    {
        var templateLabels = LabelSelector.FromSet(rs.Spec?.Template?.Metadata?.Labels);
        var minReady = rs.Spec?.MinReadySeconds ?? 0;
        var conditions = rs.Status?.Conditions?.ToList() ?? [];
        var hasFailure = conditions.Any(c => c.Type == "ReplicaFailure");
        if (failure is { } f && !hasFailure)
            conditions.Add(new V1ReplicaSetCondition
            {
                Type = "ReplicaFailure", Status = "True", Reason = f.Reason, Message = f.Message, LastTransitionTime = now.UtcDateTime,
            });
        else if (failure is null && hasFailure)
            conditions.RemoveAll(c => c.Type == "ReplicaFailure");
        return new V1ReplicaSetStatus
        {
            Replicas = owned.Count,
            FullyLabeledReplicas = owned.Count(p => templateLabels.Matches(p.Metadata.Labels)),
            ReadyReplicas = owned.Count(PodFacts.IsReady),
            AvailableReplicas = owned.Count(p => PodFacts.IsAvailable(p, minReady, now)),
            ObservedGeneration = rs.Metadata.Generation,
            Conditions = conditions.Count > 0 ? conditions : null,
        };
    }

    /// <summary>True when two statuses say the same (so no write is needed).</summary>
    public static bool SameStatus(V1ReplicaSetStatus? a, V1ReplicaSetStatus b) =>
        a is not null && k8s.KubernetesJson.Serialize(Normalize(a)) == k8s.KubernetesJson.Serialize(Normalize(b));

    private static V1ReplicaSetStatus Normalize(V1ReplicaSetStatus s) => new()
    {
        Replicas = s.Replicas,
        FullyLabeledReplicas = s.FullyLabeledReplicas ?? 0,
        ReadyReplicas = s.ReadyReplicas ?? 0,
        AvailableReplicas = s.AvailableReplicas ?? 0,
        ObservedGeneration = s.ObservedGeneration ?? 0,
        Conditions = s.Conditions is { Count: > 0 } ? s.Conditions : null,
    };
}
