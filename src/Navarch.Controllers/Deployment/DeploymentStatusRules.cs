using k8s;
using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// A Deployment's status and its Available / Progressing / ReplicaFailure conditions (upstream's sync.go
/// calculateStatus, progress.go and deployment/util), as pure functions; <c>kubectl rollout status</c> reads them.
/// </summary>
public static class DeploymentStatusRules
{
    public const string Available = "Available";
    public const string Progressing = "Progressing";
    public const string ReplicaFailure = "ReplicaFailure";

    // Reasons, as upstream spells them.
    public const string NewReplicaSetCreated = "NewReplicaSetCreated";
    public const string FoundNewReplicaSet = "FoundNewReplicaSet";
    public const string NewReplicaSetAvailable = "NewReplicaSetAvailable";
    public const string ReplicaSetUpdated = "ReplicaSetUpdated";
    public const string ProgressDeadlineExceeded = "ProgressDeadlineExceeded";
    public const string DeploymentPaused = "DeploymentPaused";
    public const string DeploymentResumed = "DeploymentResumed";
    public const string FailedCreate = "ReplicaSetCreateError";
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    /// <summary>progressDeadlineSeconds is set and not "forever" (MaxInt32).</summary>
    public static bool HasProgressDeadline(V1Deployment d) => d.Spec?.ProgressDeadlineSeconds is { } s && s != int.MaxValue;

    public static V1DeploymentCondition? Condition(V1DeploymentStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static V1DeploymentCondition NewCondition(string type, string status, string reason, string message, DateTimeOffset now) => new()
    {
        Type = type, Status = status, Reason = reason, Message = message, LastUpdateTime = now.UtcDateTime, LastTransitionTime = now.UtcDateTime,
    };

    /// <summary>Upstream's SetDeploymentCondition: no change when status and reason are the same; keeps the transition time when only the reason changes.</summary>
    public static void SetCondition(V1DeploymentStatus status, V1DeploymentCondition condition)
    {
        var current = Condition(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason) return;
        if (current is not null && current.Status == condition.Status) condition.LastTransitionTime = current.LastTransitionTime;
        status.Conditions = (status.Conditions ?? []).Where(c => c.Type != condition.Type).Append(condition).ToList();
    }

    public static void RemoveCondition(V1DeploymentStatus status, string type)
    {
        if (status.Conditions is null) return;
        status.Conditions = status.Conditions.Where(c => c.Type != type).ToList();
        if (status.Conditions.Count == 0) status.Conditions = null;
    }

    /// <summary>Upstream's calculateStatus: counts over the sets and the Available condition.</summary>
    public static V1DeploymentStatus Calculate(V1Deployment d, IReadOnlyList<PlannedSet> all, PlannedSet? newSet, DateTimeOffset now)
    {
        var available = all.Sum(s => s.Available);
        var total = all.Sum(s => s.Replicas);
        var status = new V1DeploymentStatus
        {
            ObservedGeneration = d.Metadata.Generation,
            Replicas = all.Sum(s => s.Actual),
            UpdatedReplicas = newSet?.Actual ?? 0,
            ReadyReplicas = all.Sum(s => s.Ready),
            AvailableReplicas = available,
            UnavailableReplicas = Math.Max(0, total - available),
            CollisionCount = d.Status?.CollisionCount,
            Conditions = d.Status?.Conditions?.Select(Copy).ToList(),
        };
        if (available >= Revisions.Replicas(d) - RolloutPlanner.MaxUnavailable(d))
            SetCondition(status, NewCondition(Available, "True", MinimumReplicasAvailable, "Deployment has minimum availability.", now));
        else
            SetCondition(status, NewCondition(Available, "False", MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now));
        return status;
    }

    /// <summary>
    /// Upstream's syncRolloutStatus conditions: while a rollout is under way, Progressing says it completed,
    /// made progress (refreshing lastUpdateTime), or ran past progressDeadlineSeconds since the last progress;
    /// a ReplicaFailure of the sets is carried over.
    /// </summary>
    public static void ApplyProgress(V1Deployment d, V1DeploymentStatus status, IReadOnlyList<PlannedSet> all, PlannedSet? newSet, DateTimeOffset now)
    {
        if (!HasProgressDeadline(d)) RemoveCondition(status, Progressing);
        var current = Condition(d.Status, Progressing);
        var completeBefore = status.Replicas == status.UpdatedReplicas && current?.Reason == NewReplicaSetAvailable;
        if (HasProgressDeadline(d) && !completeBefore)
        {
            var subject = newSet is null ? $"Deployment \"{d.Metadata.Name}\"" : $"ReplicaSet \"{newSet.Name}\"";
            if (IsComplete(d, status))
            {
                SetCondition(status, NewCondition(Progressing, "True", NewReplicaSetAvailable, $"{subject} has successfully progressed.", now));
            }
            else if (MadeProgress(d.Status, status))
            {
                var condition = NewCondition(Progressing, "True", ReplicaSetUpdated, $"{subject} is progressing.", now);
                if (current is { Status: "True" }) condition.LastTransitionTime = current.LastTransitionTime;
                RemoveCondition(status, Progressing);
                SetCondition(status, condition);
            }
            else if (TimedOut(d, status, now))
            {
                SetCondition(status, NewCondition(Progressing, "False", ProgressDeadlineExceeded, $"{subject} has timed out progressing.", now));
            }
        }
        var failure = all.OrderBy(s => s == newSet ? 0 : 1)
            .Select(s => s.Set.Status?.Conditions?.FirstOrDefault(c => c.Type == ReplicaFailure && c.Status == "True")).FirstOrDefault(c => c is not null);
        if (failure is not null)
            SetCondition(status, new V1DeploymentCondition
            {
                Type = ReplicaFailure, Status = failure.Status, Reason = failure.Reason, Message = failure.Message,
                LastTransitionTime = failure.LastTransitionTime, LastUpdateTime = failure.LastTransitionTime,
            });
        else RemoveCondition(status, ReplicaFailure);
    }

    /// <summary>Upstream's DeploymentComplete: every replica updated and available, and the generation observed.</summary>
    public static bool IsComplete(V1Deployment d, V1DeploymentStatus status)
    {
        var replicas = Revisions.Replicas(d);
        return status.UpdatedReplicas == replicas && status.Replicas == replicas && status.AvailableReplicas == replicas
            && status.ObservedGeneration >= d.Metadata.Generation;
    }

    /// <summary>Upstream's DeploymentProgressing: more updated, fewer old, more ready or more available replicas than before.</summary>
    public static bool MadeProgress(V1DeploymentStatus? before, V1DeploymentStatus now)
    {
        var oldBefore = (before?.Replicas ?? 0) - (before?.UpdatedReplicas ?? 0);
        var oldNow = (now.Replicas ?? 0) - (now.UpdatedReplicas ?? 0);
        return (now.UpdatedReplicas ?? 0) > (before?.UpdatedReplicas ?? 0) || oldNow < oldBefore
            || (now.ReadyReplicas ?? 0) > (before?.ReadyReplicas ?? 0) || (now.AvailableReplicas ?? 0) > (before?.AvailableReplicas ?? 0);
    }

    /// <summary>Upstream's DeploymentTimedOut: no progress for progressDeadlineSeconds since the Progressing condition's lastUpdateTime.</summary>
    public static bool TimedOut(V1Deployment d, V1DeploymentStatus status, DateTimeOffset now)
    {
        if (!HasProgressDeadline(d) || Condition(status, Progressing) is not { } c) return false;
        if (c.Reason == NewReplicaSetAvailable) return false;
        if (c.Reason == ProgressDeadlineExceeded) return true;
        return c.LastUpdateTime is { } from && Utc(from).AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) < now;
    }

    /// <summary>
    /// Upstream's requeueStuckDeployment: when to look again so that a rollout that stops making progress is
    /// marked timed out on time; null when no check is due.
    /// </summary>
    public static TimeSpan? RecheckAfter(V1Deployment d, V1DeploymentStatus status, DateTimeOffset now)
    {
        if (!HasProgressDeadline(d) || Condition(d.Status, Progressing) is not { } c || c.LastUpdateTime is not { } from) return null;
        if (IsComplete(d, status) || c.Reason == ProgressDeadlineExceeded) return null;
        var after = Utc(from).AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) - now;
        return after < TimeSpan.FromSeconds(1) ? TimeSpan.Zero : after + TimeSpan.FromSeconds(1);
    }

    /// <summary>Upstream's checkPausedConditions: Progressing Unknown DeploymentPaused while paused, DeploymentResumed after. Returns whether it changed.</summary>
    public static bool ApplyPaused(V1Deployment d, V1DeploymentStatus status, DateTimeOffset now)
    {
        if (!HasProgressDeadline(d)) return false;
        var c = Condition(status, Progressing);
        var paused = d.Spec?.Paused == true;
        if (paused && c?.Reason != DeploymentPaused)
            SetCondition(status, NewCondition(Progressing, "Unknown", DeploymentPaused, "Deployment is paused", now));
        else if (!paused && c?.Reason == DeploymentPaused)
            SetCondition(status, NewCondition(Progressing, "Unknown", DeploymentResumed, "Deployment is resumed", now));
        else return false;
        return true;
    }

    /// <summary>True when two statuses say the same (so no write is needed).</summary>
    public static bool Same(V1DeploymentStatus? a, V1DeploymentStatus b) =>
        a is not null && KubernetesJson.Serialize(Normalize(a)) == KubernetesJson.Serialize(Normalize(b));

    private static V1DeploymentStatus Normalize(V1DeploymentStatus s) => new()
    {
        ObservedGeneration = s.ObservedGeneration ?? 0,
        Replicas = s.Replicas ?? 0,
        UpdatedReplicas = s.UpdatedReplicas ?? 0,
        ReadyReplicas = s.ReadyReplicas ?? 0,
        AvailableReplicas = s.AvailableReplicas ?? 0,
        UnavailableReplicas = s.UnavailableReplicas ?? 0,
        CollisionCount = s.CollisionCount,
        Conditions = s.Conditions is { Count: > 0 } ? s.Conditions : null,
    };

    private static V1DeploymentCondition Copy(V1DeploymentCondition c) => new()
    {
        Type = c.Type, Status = c.Status, Reason = c.Reason, Message = c.Message, LastUpdateTime = c.LastUpdateTime, LastTransitionTime = c.LastTransitionTime,
    };

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}
