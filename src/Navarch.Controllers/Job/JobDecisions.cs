using k8s.Models;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.Job;

/// <param name="Create">Pods to create now: one entry per pod, its completion index (null for NonIndexed).</param>
/// <param name="Delete">Active pods to delete now.</param>
/// <param name="Status">The status to write.</param>
/// <param name="Finished">The Complete or Failed condition reached in this sync, if any (for its event).</param>
/// <param name="RecheckAfter">When to look again with no event to wake the controller (back-off, deadline).</param>
public sealed record JobPlan(IReadOnlyList<int?> Create, IReadOnlyList<V1Pod> Delete, V1JobStatus Status, V1JobCondition? Finished, TimeSpan? RecheckAfter);

/// <summary>What a Job should do, as a pure function of its pods and the time (upstream's job_controller.go syncJob).</summary>
public static class JobDecisions
{
    /// <summary>Upstream's DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff.</summary>
    public static readonly TimeSpan BackoffBase = TimeSpan.FromSeconds(10), BackoffMax = TimeSpan.FromMinutes(6);

    public static bool IsFinished(V1Job job) =>
        job.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true;

    /// <summary>Plans one sync of an unfinished Job over the pods it owns.</summary>
    public static JobPlan Plan(V1Job job, IReadOnlyList<V1Pod> owned, DateTimeOffset now)
    {
        var spec = job.Spec;
        var parallelism = spec?.Parallelism ?? 1;
        var completions = spec?.Completions;
        var backoffLimit = spec?.BackoffLimit ?? 6;
        var active = owned.Where(PodFacts.IsActive).ToList();
        var succeededPods = owned.Where(p => p.Status?.Phase == "Succeeded").ToList();
        var failedPods = owned.Where(p => p.Status?.Phase == "Failed").ToList();
        var indexed = JobPods.IsIndexed(job) && completions is not null;

        var status = Copy(job.Status);
        status.StartTime ??= now.UtcDateTime;
        var failed = Math.Max(status.Failed ?? 0, failedPods.Count);
        HashSet<int> done = [];
        int succeeded;
        if (indexed)
        {
            done = [.. JobPods.ParseIndexes(status.CompletedIndexes)];
            foreach (var p in succeededPods)
                if (JobPods.IndexOf(p, completions!.Value) is { } i) done.Add(i);
            succeeded = done.Count;
            status.CompletedIndexes = JobPods.FormatIndexes(done);
        }
        else succeeded = Math.Max(status.Succeeded ?? 0, succeededPods.Count);

        // Failure first: past the deadline, or more failures than the back-off limit allows.
        V1JobCondition? failure = null;
        if (spec?.ActiveDeadlineSeconds is { } deadline && new DateTimeOffset(DateTime.SpecifyKind(status.StartTime.Value, DateTimeKind.Utc)).AddSeconds(deadline) <= now)
            failure = Condition("Failed", "DeadlineExceeded", "Job was active longer than specified deadline", now);
        else if (failed > backoffLimit || PastBackoffLimitOnFailure(job, active, backoffLimit))
            failure = Condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
        if (failure is not null)
        {
            status.Failed = failed + active.Count;
            status.Succeeded = succeeded;
            status.Active = 0;
            status.Ready = 0;
            status.Conditions = [.. status.Conditions ?? [], failure];
            return new JobPlan([], active, status, failure, null);
        }

        var complete = completions is { } c ? succeeded >= c : succeeded > 0 && active.Count == 0;
        if (complete)
        {
            var condition = Condition("Complete", null, null, now);
            status.Conditions = [.. status.Conditions ?? [], condition];
            status.CompletionTime = now.UtcDateTime;
            return new JobPlan([], active, Counted(status, 0, 0, succeeded, failed), condition, null);
        }

        // How many should run (upstream's manageJob), and which indexes are still missing.
        var wantActive = spec?.Suspend == true ? 0
            : completions is { } total ? Math.Min(parallelism, total - succeeded)
            : succeeded > 0 ? active.Count : parallelism;
        List<int?> create = [];
        IReadOnlyList<V1Pod> delete = [];
        TimeSpan? recheck = null;
        if (active.Count > wantActive)
        {
            delete = DeletionRanking.PodsToDelete(active, active, active.Count - wantActive, now);
        }
        else if (active.Count < wantActive)
        {
            var wait = BackoffRemaining(failedPods, failed, now);
            if (wait > TimeSpan.Zero) recheck = wait;
            else if (indexed)
            {
                var running = active.Select(p => JobPods.IndexOf(p, completions!.Value)).OfType<int>().ToHashSet();
                create = Enumerable.Range(0, completions!.Value).Where(i => !done.Contains(i) && !running.Contains(i))
                    .Take(wantActive - active.Count).Select(i => (int?)i).ToList();
            }
            else create = Enumerable.Repeat<int?>(null, Math.Min(wantActive - active.Count, ReplicaSet.ReplicaDecisions.BurstReplicas)).ToList();
        }
        if (spec?.ActiveDeadlineSeconds is { } d)
        {
            var left = new DateTimeOffset(DateTime.SpecifyKind(status.StartTime.Value, DateTimeKind.Utc)).AddSeconds(d) - now;
            recheck = recheck is { } r && r < left ? r : left;
        }
        var ready = active.Count(PodFacts.IsReady);
        return new JobPlan(create, delete, Counted(status, active.Count, ready, succeeded, failed), null, recheck);
    }

    /// <summary>Upstream's pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count as failures.</summary>
    public static bool PastBackoffLimitOnFailure(V1Job job, IEnumerable<V1Pod> active, int backoffLimit)
    {
        if (job.Spec?.Template?.Spec?.RestartPolicy != "OnFailure") return false;
        var restarts = active.Sum(p => (p.Status?.InitContainerStatuses ?? []).Concat(p.Status?.ContainerStatuses ?? []).Sum(s => s.RestartCount));
        return backoffLimit == 0 ? restarts > 0 : restarts >= backoffLimit;
    }

    /// <summary>How long replacements must still wait after the last failure: 10 s doubling per failure, at most 6 min.</summary>
    public static TimeSpan BackoffRemaining(IReadOnlyList<V1Pod> failedPods, int failures, DateTimeOffset now)
    {
        if (failures == 0 || failedPods.Count == 0) return TimeSpan.Zero;
        var delay = TimeSpan.FromTicks((long)Math.Min(BackoffMax.Ticks, BackoffBase.Ticks * Math.Pow(2, Math.Min(failures - 1, 30))));
        var last = failedPods.Max(JobPods.FinishedAt);
        var left = new DateTimeOffset(DateTime.SpecifyKind(last, DateTimeKind.Utc)) + delay - now;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>When a finished Job with ttlSecondsAfterFinished should be deleted; null when never.</summary>
    public static DateTimeOffset? ExpiresAt(V1Job job)
    {
        if (job.Spec?.TtlSecondsAfterFinished is not { } ttl) return null;
        var finished = job.Status?.Conditions?.FirstOrDefault(c => c.Type is "Complete" or "Failed" && c.Status == "True");
        var at = job.Status?.CompletionTime ?? finished?.LastTransitionTime;
        return at is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).AddSeconds(ttl) : null;
    }

    private static V1JobStatus Counted(V1JobStatus s, int active, int ready, int succeeded, int failed)
    {
        s.Active = active == 0 ? null : active;
        s.Ready = ready;
        s.Succeeded = succeeded == 0 ? null : succeeded;
        s.Failed = failed == 0 ? null : failed;
        return s;
    }

    private static V1JobCondition Condition(string type, string? reason, string? message, DateTimeOffset now) => new()
    {
        Type = type, Status = "True", Reason = reason, Message = message, LastProbeTime = now.UtcDateTime, LastTransitionTime = now.UtcDateTime,
    };

    private static V1JobStatus Copy(V1JobStatus? s) =>
        s is null ? new V1JobStatus() : k8s.KubernetesJson.Deserialize<V1JobStatus>(k8s.KubernetesJson.Serialize(s));

}
