using k8s.Models;
using Navarch.Controllers.Job;

namespace Navarch.Controllers.Tests.Job;

[Trait("Category", "Unit")]
public sealed class JobDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static V1Job NewJob(int? completions = 5, int parallelism = 2, int backoffLimit = 6, string mode = "NonIndexed",
        string restartPolicy = "Never", long? deadline = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "pi", NamespaceProperty = "default", Uid = "job-uid" },
        Spec = new V1JobSpec
        {
            Completions = completions, Parallelism = parallelism, BackoffLimit = backoffLimit, CompletionMode = mode, ActiveDeadlineSeconds = deadline,
            Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = restartPolicy, Containers = [new V1Container { Name = "pi", Image = "busybox" }] } },
        },
        Status = new V1JobStatus(),
    };

    private static V1Pod Pod(string name, string phase, int? index = null, int restarts = 0, DateTime? finished = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name, NamespaceProperty = "default", Uid = name, CreationTimestamp = Now.UtcDateTime.AddMinutes(-5),
            Annotations = index is { } i ? new Dictionary<string, string> { [JobPods.CompletionIndex] = i.ToString() } : null,
        },
        Status = new V1PodStatus
        {
            Phase = phase,
            ContainerStatuses = [new V1ContainerStatus { Name = "pi", RestartCount = restarts,
                State = finished is { } f ? new V1ContainerState { Terminated = new V1ContainerStateTerminated { FinishedAt = f, ExitCode = 1 } } : null }],
        },
    };

    [Fact]
    public void Runs_parallelism_pods_until_completions_succeed()
    {
        var plan = JobDecisions.Plan(NewJob(), [], Now);
        Assert.Equal(2, plan.Create.Count);
        Assert.Equal(Now.UtcDateTime, plan.Status.StartTime);

        plan = JobDecisions.Plan(NewJob(), [Pod("a", "Succeeded"), Pod("b", "Succeeded"), Pod("c", "Succeeded"), Pod("d", "Running")], Now);
        Assert.Single(plan.Create);
        Assert.Equal((1, 3), (plan.Status.Active, plan.Status.Succeeded));

        plan = JobDecisions.Plan(NewJob(), Enumerable.Range(0, 5).Select(i => Pod($"p{i}", "Succeeded")).ToList(), Now);
        Assert.Equal("Complete", plan.Finished?.Type);
        Assert.Contains(plan.Status.Conditions, c => c is { Type: "Complete", Status: "True" });
        Assert.Equal(Now.UtcDateTime, plan.Status.CompletionTime);
    }

    [Fact]
    public void Failures_past_the_backoff_limit_fail_the_job_and_stop_its_pods()
    {
        var plan = JobDecisions.Plan(NewJob(backoffLimit: 2), [Pod("a", "Failed"), Pod("b", "Failed"), Pod("c", "Failed"), Pod("d", "Running")], Now);
        Assert.Equal(("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"), (plan.Finished?.Type, plan.Finished?.Reason, plan.Finished?.Message));
        Assert.Equal("d", plan.Delete.Single().Metadata.Name);
        Assert.Empty(plan.Create);
        Assert.Equal(4, plan.Status.Failed);
    }

    [Fact]
    public void With_OnFailure_container_restarts_count_against_the_limit()
    {
        var plan = JobDecisions.Plan(NewJob(backoffLimit: 3, restartPolicy: "OnFailure"), [Pod("a", "Running", restarts: 2), Pod("b", "Running", restarts: 1)], Now);
        Assert.Equal("BackoffLimitExceeded", plan.Finished?.Reason);
    }

    [Fact]
    public void Replacements_wait_a_doubling_backoff_after_failures()
    {
        var job = NewJob(backoffLimit: 6);
        var plan = JobDecisions.Plan(job, [Pod("a", "Failed", finished: Now.UtcDateTime.AddSeconds(-4)), Pod("b", "Running")], Now);
        Assert.Empty(plan.Create);
        Assert.Equal(TimeSpan.FromSeconds(6), plan.RecheckAfter);
        var twoFailures = JobDecisions.Plan(job, [Pod("a", "Failed", finished: Now.UtcDateTime.AddSeconds(-15)), Pod("c", "Failed", finished: Now.UtcDateTime.AddSeconds(-15))], Now);
        Assert.Equal(TimeSpan.FromSeconds(5), twoFailures.RecheckAfter);
        Assert.Equal(2, JobDecisions.Plan(job, [Pod("a", "Failed", finished: Now.UtcDateTime.AddSeconds(-11))], Now).Create.Count);
    }

    [Fact]
    public void An_active_deadline_fails_the_job_with_DeadlineExceeded()
    {
        var job = NewJob(deadline: 30);
        job.Status.StartTime = Now.UtcDateTime.AddSeconds(-31);
        var plan = JobDecisions.Plan(job, [Pod("a", "Running")], Now);
        Assert.Equal(("DeadlineExceeded", "Job was active longer than specified deadline"), (plan.Finished?.Reason, plan.Finished?.Message));
        job.Status.StartTime = Now.UtcDateTime.AddSeconds(-10);
        Assert.Equal(TimeSpan.FromSeconds(20), JobDecisions.Plan(job, [Pod("a", "Running"), Pod("b", "Running")], Now).RecheckAfter);
    }

    [Fact]
    public void An_indexed_job_creates_the_missing_indexes_and_tracks_completed_ones()
    {
        var job = NewJob(completions: 4, parallelism: 3, mode: "Indexed");
        var plan = JobDecisions.Plan(job, [Pod("a", "Succeeded", index: 0), Pod("b", "Running", index: 2), Pod("c", "Succeeded", index: 3)], Now);
        Assert.Equal([1], plan.Create);
        Assert.Equal(("0,3", 2), (plan.Status.CompletedIndexes, plan.Status.Succeeded));
        Assert.Equal("0-2,4", JobPods.FormatIndexes([4, 1, 0, 2]));
        Assert.Equal([0, 1, 2, 4], JobPods.ParseIndexes("0-2,4"));
    }

    [Fact]
    public void Indexed_pods_carry_their_index_in_annotation_label_env_and_hostname()
    {
        var pod = JobPods.NewPod(NewJob(mode: "Indexed"), 3);
        Assert.Equal("pi-3-", pod.Metadata.GenerateName);
        Assert.Equal("3", pod.Metadata.Annotations[JobPods.CompletionIndex]);
        Assert.Equal("3", pod.Metadata.Labels[JobPods.CompletionIndex]);
        Assert.Equal(("job-uid", "pi"), (pod.Metadata.Labels[JobPods.ControllerUidLabel], pod.Metadata.Labels[JobPods.JobNameLabel]));
        Assert.Equal("pi-3", pod.Spec.Hostname);
        var env = pod.Spec.Containers.Single().Env.Single();
        Assert.Equal((JobPods.CompletionIndexEnv, "metadata.annotations['batch.kubernetes.io/job-completion-index']"), (env.Name, env.ValueFrom.FieldRef.FieldPath));
        Assert.Equal(("batch/v1", "Job", true), (pod.Metadata.OwnerReferences[0].ApiVersion, pod.Metadata.OwnerReferences[0].Kind, pod.Metadata.OwnerReferences[0].Controller));
    }

    [Fact]
    public void A_finished_job_expires_ttl_seconds_after_completion()
    {
        var job = NewJob();
        job.Spec.TtlSecondsAfterFinished = 30;
        job.Status.CompletionTime = Now.UtcDateTime;
        Assert.Equal(Now.AddSeconds(30), JobDecisions.ExpiresAt(job));
        job.Spec.TtlSecondsAfterFinished = null;
        Assert.Null(JobDecisions.ExpiresAt(job));
    }
}
