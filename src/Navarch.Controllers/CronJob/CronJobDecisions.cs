using System.Globalization;
using k8s;
using k8s.Models;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.CronJob;

/// <summary>What a CronJob's Jobs look like and which ones to keep (upstream's cronjob/utils.go), as pure functions.</summary>
public static class CronJobDecisions
{
    public const string ScheduledTimestamp = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    /// <summary>The Job for the start at <paramref name="scheduled"/>: the jobTemplate, named by the time, owned by the CronJob.</summary>
    public static V1Job NewJob(V1CronJob cj, DateTimeOffset scheduled)
    {
        var template = cj.Spec.JobTemplate;
        var spec = KubernetesJson.Deserialize<V1JobSpec>(KubernetesJson.Serialize(template.Spec));
        var annotations = template.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a) : [];
        annotations[ScheduledTimestamp] = scheduled.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = CronSchedule.JobName(cj.Metadata.Name, scheduled),
                NamespaceProperty = cj.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : null,
                Annotations = annotations,
                OwnerReferences = [ControllerRefs.For("batch/v1", "CronJob", cj.Metadata)],
            },
            Spec = spec,
        };
    }

    /// <summary>"Complete" or "Failed" when the Job finished, else null.</summary>
    public static string? Finished(V1Job job) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type is "Complete" or "Failed" && c.Status == "True")?.Type;

    /// <summary>
    /// Upstream's cleanupFinishedJobs: the oldest finished Jobs beyond successfulJobsHistoryLimit (default 3) and
    /// failedJobsHistoryLimit (default 1), oldest first.
    /// </summary>
    public static IReadOnlyList<V1Job> JobsToPrune(V1CronJob cj, IEnumerable<V1Job> owned)
    {
        var jobs = owned.ToList();
        return Surplus(jobs.Where(j => Finished(j) == "Complete"), cj.Spec?.SuccessfulJobsHistoryLimit ?? 3)
            .Concat(Surplus(jobs.Where(j => Finished(j) == "Failed"), cj.Spec?.FailedJobsHistoryLimit ?? 1)).ToList();
    }

    private static IEnumerable<V1Job> Surplus(IEnumerable<V1Job> finished, int limit)
    {
        var ordered = finished.OrderBy(j => j.Status?.StartTime ?? j.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(j => j.Metadata.Name, StringComparer.Ordinal).ToList();
        return ordered.Take(Math.Max(0, ordered.Count - limit));
    }

    /// <summary>The status.active list: references to the owned Jobs still running, by name.</summary>
    public static IList<V1ObjectReference>? ActiveRefs(IEnumerable<V1Job> owned)
    {
        var refs = owned.Where(j => Finished(j) is null && j.Metadata.DeletionTimestamp is null).OrderBy(j => j.Metadata.Name, StringComparer.Ordinal)
            .Select(j => new V1ObjectReference
            {
                ApiVersion = "batch/v1", Kind = "Job", Name = j.Metadata.Name, NamespaceProperty = j.Metadata.NamespaceProperty,
                Uid = j.Metadata.Uid,
            }).ToList();
        return refs.Count == 0 ? null : refs;
    }
}
