using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.CronJob;

/// <summary>
/// The CronJob controller (upstream's cronjob_controllerv2): at each start time of the schedule creates a Job,
/// as concurrencyPolicy (Allow, Forbid, Replace), startingDeadlineSeconds and suspend allow; keeps status.active,
/// lastScheduleTime and lastSuccessfulTime; prunes finished Jobs past the history limits. Time comes from the
/// controller's <see cref="TimeProvider"/>.
/// </summary>
public sealed class CronJobController : Controller, IControllerLoop
{
    private readonly IKubernetes _client;
    private readonly Informer<V1CronJob> _cronJobs;
    private readonly Informer<V1Job> _jobs;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly int _workers;

    public CronJobController(ControllerContext ctx)
        : base("cronjob", ctx.Loggers.CreateLogger<CronJobController>(), ctx.Time)
    {
        _client = ctx.Client;
        _cronJobs = ctx.Informers.CronJobs;
        _jobs = ctx.Informers.Jobs;
        _events = ctx.Recorder("cronjob-controller");
        _time = ctx.Time;
        _workers = ctx.Options.ConcurrentSyncs;
        _cronJobs.AddHandlers(EnqueueOwnKey<V1CronJob>());
        _jobs.AddHandlers(new EventHandlers<V1Job> { OnAdd = JobChanged, OnUpdate = (_, j) => JobChanged(j), OnDelete = JobChanged });
    }

    public Task RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await _cronJobs.WaitForSyncAsync(ct);
        await _jobs.WaitForSyncAsync(ct);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        if (_cronJobs.Get(key) is not { } cached) return;
        var cj = KubernetesJson.Deserialize<V1CronJob>(KubernetesJson.Serialize(cached));
        cj.ApiVersion ??= "batch/v1";
        cj.Kind ??= "CronJob";
        cj.Status ??= new V1CronJobStatus();
        var now = _time.GetUtcNow();
        var owned = _jobs.List(cj.Metadata.NamespaceProperty).Where(j => ControllerRefs.ControllerOf(j)?.Uid == cj.Metadata.Uid).ToList();

        // Jobs that were active and have finished since.
        var wasActive = (cj.Status.Active ?? []).Select(r => r.Uid).ToHashSet();
        foreach (var job in owned.Where(j => wasActive.Contains(j.Metadata.Uid) && CronJobDecisions.Finished(j) is not null))
        {
            var result = CronJobDecisions.Finished(job)!;
            await _events.NormalAsync(cj, "SawCompletedJob", $"Saw completed job: {job.Metadata.Name}, status: {result}", ct);
            if (result == "Complete" && job.Status?.CompletionTime is { } done && (cj.Status.LastSuccessfulTime is null || done > cj.Status.LastSuccessfulTime))
                cj.Status.LastSuccessfulTime = done;
        }
        cj.Status.Active = CronJobDecisions.ActiveRefs(owned);

        if (cj.Metadata.DeletionTimestamp is null)
            await ScheduleAsync(key, cj, owned, now, ct);
        foreach (var job in CronJobDecisions.JobsToPrune(cj, owned)) await DeleteJobAsync(cj, job, ct);
        await WriteStatusAsync(cached, cj.Status, ct);
    }

    private async Task ScheduleAsync(string key, V1CronJob cj, List<V1Job> owned, DateTimeOffset now, CancellationToken ct)
    {
        CronSchedule schedule;
        try
        {
            schedule = CronSchedule.Parse(cj.Spec.Schedule, cj.Spec.TimeZone);
        }
        catch (TimeZoneNotFoundException)
        {
            await _events.WarningAsync(cj, "UnknownTimeZone", $"invalid timeZone: \"{cj.Spec.TimeZone}\"", ct);
            return;
        }
        catch (Exception e) when (e is Cronos.CronFormatException or ArgumentException)
        {
            await _events.WarningAsync(cj, "UnparseableSchedule", $"unparseable schedule: \"{cj.Spec.Schedule}\" : {e.Message}", ct);
            return;
        }
        if (cj.Spec.Suspend == true) return;
        // Whatever happens now, look again at the next start time.
        if (schedule.Next(now) is { } next) Queue.AddAfter(key, next - now + TimeSpan.FromMilliseconds(100));

        var (scheduled, missed) = schedule.MostRecent(cj, now);
        if (scheduled is not { } at) return;
        if (missed > CronSchedule.TooManyMissed)
            await _events.WarningAsync(cj, "TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew", ct);
        if (cj.Spec.StartingDeadlineSeconds is { } deadline && at.AddSeconds(deadline) < now)
        {
            await _events.WarningAsync(cj, "MissSchedule", $"Missed scheduled time to start a job: {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", ct);
            return;
        }
        var name = CronSchedule.JobName(cj.Metadata.Name, at);
        if (owned.Any(j => j.Metadata.Name == name)) return;
        var active = owned.Where(j => CronJobDecisions.Finished(j) is null && j.Metadata.DeletionTimestamp is null).ToList();
        switch (cj.Spec.ConcurrencyPolicy)
        {
            case "Forbid" when active.Count > 0:
                await _events.NormalAsync(cj, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", ct);
                return;
            case "Replace":
                foreach (var job in active) await DeleteJobAsync(cj, job, ct);
                active.Clear();
                break;
        }
        try
        {
            var created = await _client.BatchV1.CreateNamespacedJobAsync(CronJobDecisions.NewJob(cj, at), cj.Metadata.NamespaceProperty, cancellationToken: ct);
            await _events.NormalAsync(cj, "SuccessfulCreate", $"Created job {created.Metadata.Name}", ct);
            active.Add(created);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // Created by an earlier sync whose Job the cache has not shown yet.
        }
        catch (Exception e) when (e is not OperationCanceledException && !ApiErrors.IsNamespaceTerminating(e))
        {
            await _events.WarningAsync(cj, "FailedCreate", $"Error creating job: {ApiErrors.Message(e)}", ct);
            throw;
        }
        cj.Status.Active = CronJobDecisions.ActiveRefs(active);
        cj.Status.LastScheduleTime = at.UtcDateTime;
    }

    private async Task DeleteJobAsync(V1CronJob cj, V1Job job, CancellationToken ct)
    {
        try
        {
            await _client.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, job.Metadata.NamespaceProperty,
                new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken: ct);
            await _events.NormalAsync(cj, "SuccessfulDelete", $"Deleted job {job.Metadata.Name}", ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    private async Task WriteStatusAsync(V1CronJob cached, V1CronJobStatus status, CancellationToken ct)
    {
        if (JsonEquality.Same(cached.Status ?? new V1CronJobStatus(), status)) return;
        var copy = KubernetesJson.Deserialize<V1CronJob>(KubernetesJson.Serialize(cached));
        copy.Status = status;
        try
        {
            await _client.BatchV1.ReplaceNamespacedCronJobStatusAsync(copy, cached.Metadata.Name, cached.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    private void JobChanged(V1Job job)
    {
        if (ControllerRefs.ControllerOf(job) is { Kind: "CronJob" } owner && _cronJobs.Get(job.Metadata.NamespaceProperty, owner.Name) is { } cj && cj.Metadata.Uid == owner.Uid)
            Queue.Add(ObjectKey.Of(cj));
    }
}
