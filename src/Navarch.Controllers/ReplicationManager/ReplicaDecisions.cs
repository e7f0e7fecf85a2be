using k8s.Models;
using Navarch.Api.Selectors;

namespace Navarch.Controllers.ReplicationManager;

/// <param name="Owned">Active pods the controller owns and that match its selector.</param>
/// <param name="Adopt">Orphans that match: to patch with the controller's ownerReference.</param>
/// <param name="Release">Owned pods that no longer match: to patch without it.</param>
public sealed record ClaimDecision(IReadOnlyList<V1Pod> Owned, IReadOnlyList<V1Pod> Adopt, IReadOnlyList<V1Pod> Release);

/// <param name="Create">How many pods to create now (at most the burst).</param>
/// <param name="Delete">Which pods to delete now, best candidates first.</param>
public sealed record ScaleDecision(int Create, IReadOnlyList<V1Pod> Delete);

/// <summary>What a ReplicationController should do, as pure functions of what its informers show (upstream's replica_set.go).</summary>
public static class ReplicaDecisions
{
    /// <summary>Most pods created or deleted in one sync (upstream's BurstReplicas).</summary>
    public const int BurstReplicas = 500;

    /// <summary>
    /// Upstream's ClaimPods over active pods of the controller's namespace: keep owned matching pods, adopt
    /// matching orphans, release owned pods that stopped matching; a controller being deleted neither adopts
    /// nor releases. Pods controlled by someone else are left alone.
    /// </summary>
    public static ClaimDecision Claim(V1ReplicationController rc, IEnumerable<V1Pod> pods)
    {
        var selector = LabelSelector.FromSet(rc.Spec?.Selector);
        var deleting = rc.Metadata.DeletionTimestamp is not null;
        List<V1Pod> owned = [], adopt = [], release = [];
        foreach (var pod in pods)
        {
            if (!PodFacts.IsActive(pod) || pod.Metadata.NamespaceProperty != rc.Metadata.NamespaceProperty) continue;
            var matches = !selector.IsEverything && selector.Matches(pod.Metadata.Labels);
            var controller = PodFacts.ControllerOf(pod);
            if (controller is not null)
            {
                if (controller.Uid != rc.Metadata.Uid) continue;
                if (matches) owned.Add(pod);
                else if (!deleting) release.Add(pod);
            }
            else if (matches && !deleting)
            {
                adopt.Add(pod);
            }
        }
        return new ClaimDecision(owned, adopt, release);
    }

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
    /// The status the controller should show: counts over the owned active pods, the observed generation, and a
    /// ReplicaFailure condition while creating or deleting fails (<paramref name="failure"/>: reason and message).
    /// </summary>
    public static V1ReplicationControllerStatus Status(
        V1ReplicationController rc, IReadOnlyList<V1Pod> owned, (string Reason, string Message)? failure, DateTimeOffset now)
    {
        var templateLabels = LabelSelector.FromSet(rc.Spec?.Template?.Metadata?.Labels);
        var minReady = rc.Spec?.MinReadySeconds ?? 0;
        var conditions = rc.Status?.Conditions?.ToList() ?? [];
        var hasFailure = conditions.Any(c => c.Type == "ReplicaFailure");
        if (failure is { } f && !hasFailure)
            conditions.Add(new V1ReplicationControllerCondition
            {
                Type = "ReplicaFailure", Status = "True", Reason = f.Reason, Message = f.Message, LastTransitionTime = now.UtcDateTime,
            });
        else if (failure is null && hasFailure)
            conditions.RemoveAll(c => c.Type == "ReplicaFailure");
        return new V1ReplicationControllerStatus
        {
            Replicas = owned.Count,
            FullyLabeledReplicas = owned.Count(p => templateLabels.Matches(p.Metadata.Labels)),
            ReadyReplicas = owned.Count(PodFacts.IsReady),
            AvailableReplicas = owned.Count(p => PodFacts.IsAvailable(p, minReady, now)),
            ObservedGeneration = rc.Metadata.Generation,
            Conditions = conditions.Count > 0 ? conditions : null,
        };
    }

    /// <summary>True when two statuses say the same (so no write is needed).</summary>
    public static bool SameStatus(V1ReplicationControllerStatus? a, V1ReplicationControllerStatus b) =>
        a is not null && k8s.KubernetesJson.Serialize(Normalize(a)) == k8s.KubernetesJson.Serialize(Normalize(b));

    private static V1ReplicationControllerStatus Normalize(V1ReplicationControllerStatus s) => new()
    {
        Replicas = s.Replicas,
        FullyLabeledReplicas = s.FullyLabeledReplicas ?? 0,
        ReadyReplicas = s.ReadyReplicas ?? 0,
        AvailableReplicas = s.AvailableReplicas ?? 0,
        ObservedGeneration = s.ObservedGeneration ?? 0,
        Conditions = s.Conditions is { Count: > 0 } ? s.Conditions : null,
    };
}
