using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Selectors;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.Job;

/// <summary>
/// The Job controller (upstream's pkg/controller/job) with the TTL-after-finished cleanup: runs pods until
/// enough succeed (NonIndexed or Indexed), within parallelism, backoffLimit and activeDeadlineSeconds, and
/// reports Complete or Failed; deletes finished Jobs ttlSecondsAfterFinished later.
/// </summary>
public sealed class JobController : Controller, IControllerLoop
{
    /// <summary>Upstream deletes expired Jobs in a controller of its own, whose account this part uses.</summary>
    public const string TtlAccount = "ttl-after-finished-controller";

    private readonly IKubernetes _client;
    private readonly IKubernetes _ttlClient;
    private readonly Informer<V1Job> _jobs;
    private readonly Informer<V1Pod> _pods;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly int _workers;
    private readonly ControllerExpectations _expectations;

    public JobController(ControllerContext ctx)
        : base("job", ctx.Loggers.CreateLogger<JobController>(), ctx.Time)
    {
        _client = ctx.Client;
        _ttlClient = ctx.ClientFor(TtlAccount);
        _jobs = ctx.Informers.Jobs;
        _pods = ctx.Informers.Pods;
        _events = ctx.Recorder("job-controller");
        _time = ctx.Time;
        _workers = ctx.Options.ConcurrentSyncs;
        _expectations = new ControllerExpectations(ctx.Time);
        _jobs.AddHandlers(new EventHandlers<V1Job>
        {
            OnAdd = j => Queue.Add(ObjectKey.Of(j)),
            OnUpdate = (_, j) => Queue.Add(ObjectKey.Of(j)),
            OnDelete = j => _expectations.Forget(ObjectKey.Of(j)),
        });
        _pods.AddHandlers(new EventHandlers<V1Pod>
        {
            OnAdd = p => PodChanged(p, added: true),
            OnUpdate = (old, p) => { if (old.Metadata.ResourceVersion != p.Metadata.ResourceVersion) PodChanged(p, added: false); },
            OnDelete = p => PodChanged(p, added: false, deleted: true),
        });
    }

    public Task RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await _jobs.WaitForSyncAsync(ct);
        await _pods.WaitForSyncAsync(ct);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        if (_jobs.Get(key) is not { } job || job.Metadata.DeletionTimestamp is not null) return;
        job.ApiVersion ??= "batch/v1";
        job.Kind ??= "Job";
        var now = _time.GetUtcNow();
        if (JobDecisions.IsFinished(job))
        {
            await ExpireAsync(key, job, now, ct);
            return;
        }
        if (!_expectations.Satisfied(key)) return;

        var selector = job.Spec?.Selector is { } s ? LabelSelector.FromLabelSelector(s)
            : LabelSelector.FromSet(new Dictionary<string, string> { [JobPods.ControllerUidLabel] = job.Metadata.Uid });
        var claim = ControllerRefs.Claim(job.Metadata, selector, _pods.List(job.Metadata.NamespaceProperty));
        var plan = JobDecisions.Plan(job, claim.Owned, now);

        if (plan.Delete.Count > 0) await DeletePodsAsync(key, job, plan.Delete, ct);
        if (plan.Create.Count > 0) await CreatePodsAsync(key, job, plan.Create, ct);
        await WriteStatusAsync(job, plan.Status, ct);
        if (plan.Finished is { } done)
        {
            if (done.Type == "Complete") await _events.NormalAsync(job, "Completed", "Job completed", ct);
            else await _events.WarningAsync(job, done.Reason, done.Message, ct);
        }
        if (plan.RecheckAfter is { } after) Queue.AddAfter(key, after + TimeSpan.FromMilliseconds(100));
    }

    private async Task ExpireAsync(string key, V1Job job, DateTimeOffset now, CancellationToken ct)
    {
        if (JobDecisions.ExpiresAt(job) is not { } at) return;
        if (at > now)
        {
            Queue.AddAfter(key, at - now);
            return;
        }
        try
        {
            await _ttlClient.BatchV1.DeleteNamespacedJobAsync(job.Metadata.Name, job.Metadata.NamespaceProperty,
                new V1DeleteOptions { PropagationPolicy = "Background", Preconditions = new V1Preconditions { Uid = job.Metadata.Uid } }, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
        {
        }
    }

    private async Task CreatePodsAsync(string key, V1Job job, IReadOnlyList<int?> indexes, CancellationToken ct)
    {
        _expectations.ExpectCreations(key, indexes.Count);
        var next = -1;
        var (succeeded, error) = await SlowStart.RunAsync(indexes.Count, 1, async () =>
        {
            var index = indexes[Interlocked.Increment(ref next)];
            try
            {
                var pod = await _client.CoreV1.CreateNamespacedPodAsync(JobPods.NewPod(job, index), job.Metadata.NamespaceProperty, cancellationToken: ct);
                await _events.NormalAsync(job, "SuccessfulCreate", $"Created pod: {pod.Metadata.Name}", ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!ApiErrors.IsNamespaceTerminating(e)) await _events.WarningAsync(job, "FailedCreate", $"Error creating: {ApiErrors.Message(e)}", ct);
                throw;
            }
        });
        for (var i = succeeded; i < indexes.Count; i++) _expectations.CreationObserved(key);
        if (error is not null && !ApiErrors.IsNamespaceTerminating(error)) throw error;
    }

    private async Task DeletePodsAsync(string key, V1Job job, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        _expectations.ExpectDeletions(key, pods.Select(ObjectKey.Of));
        foreach (var pod in pods)
        {
            try
            {
                await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                await _events.NormalAsync(job, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}", ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _expectations.DeletionObserved(key, ObjectKey.Of(pod));
                if (!ApiErrors.IsNotFound(e)) throw;
            }
        }
    }

    private async Task WriteStatusAsync(V1Job job, V1JobStatus status, CancellationToken ct)
    {
        if (JsonEquality.Same(job.Status, status)) return;
        var copy = KubernetesJson.Deserialize<V1Job>(KubernetesJson.Serialize(job));
        copy.Status = status;
        try
        {
            await _client.BatchV1.ReplaceNamespacedJobStatusAsync(copy, job.Metadata.Name, job.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    private void PodChanged(V1Pod pod, bool added, bool deleted = false)
    {
        if (ControllerRefs.ControllerOf(pod) is not { Kind: "Job" } owner) return;
        if (_jobs.Get(pod.Metadata.NamespaceProperty, owner.Name) is not { } job || job.Metadata.Uid != owner.Uid) return;
        var key = ObjectKey.Of(job);
        if (deleted || pod.Metadata.DeletionTimestamp is not null) _expectations.DeletionObserved(key, ObjectKey.Of(pod));
        else if (added) _expectations.CreationObserved(key);
        Queue.Add(key);
    }
}
