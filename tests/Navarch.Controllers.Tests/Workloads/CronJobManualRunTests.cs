using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.Workloads;

/// <summary>
/// <c>kubectl create job NAME --from=cronjob/NAME</c>: kubectl reads the CronJob and creates a Job of its template,
/// annotated <c>cronjob.kubernetes.io/instantiate: manual</c> and owned by the CronJob (1.32 marks the reference as
/// the controller's, 1.27 does not); the Job controller runs it to completion, and deleting the CronJob collects it.
/// </summary>
[Trait("Category", "Integration")]
[Collection(WorkloadClusterCollection.Name)]
public sealed class CronJobManualRunTests(WorkloadCluster cluster)
{
    public static TheoryData<string> Binaries => [Kubectl.Default, Kubectl.V127];

    [Theory]
    [MemberData(nameof(Binaries))]
    public async Task Create_job_from_a_cronjob_runs_it_now_under_the_cronjob(string binary)
    {
        var ns = await cluster.NamespaceAsync("cron-manual");
        using var kubectl = new Kubectl(cluster.Server.Url, binary);
        // A schedule that never comes within the test: only the manual run makes a Job.
        var created = await kubectl.RunAsync("-n", ns, "create", "cronjob", "tick", $"--image={WorkloadCluster.Succeeds}", "--schedule=0 0 1 1 *", "--restart=Never", "--", "date");
        Assert.True(created.ExitCode == 0, created.ToString());
        var manual = await kubectl.RunAsync("-n", ns, "create", "job", "now", "--from=cronjob/tick");
        Assert.True(manual.ExitCode == 0 && manual.Stdout.Contains("job.batch/now created"), manual.ToString());

        var cronJob = await cluster.Client.BatchV1.ReadNamespacedCronJobAsync("tick", ns);
        var job = await cluster.Client.BatchV1.ReadNamespacedJobAsync("now", ns);
        Assert.Equal("manual", job.Metadata.Annotations["cronjob.kubernetes.io/instantiate"]);
        var owner = Assert.Single(job.Metadata.OwnerReferences);
        Assert.Equal(("batch/v1", "CronJob", "tick", cronJob.Metadata.Uid), (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid));
        Assert.Equal(cronJob.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Image, job.Spec.Template.Spec.Containers[0].Image);

        var wait = await kubectl.RunAsync(["-n", ns, "wait", "--for=condition=complete", "job/now", "--timeout=30s"], timeout: TimeSpan.FromSeconds(40));
        Assert.True(wait.ExitCode == 0, $"{wait}\n{WorkloadCluster.Tail(cluster.Server.Output)}");
        Assert.Equal(1, (await cluster.Client.BatchV1.ReadNamespacedJobAsync("now", ns)).Status.Succeeded);

        // The owner reference is real: the garbage collector removes the Job with its CronJob.
        var deleted = await kubectl.RunAsync("-n", ns, "delete", "cronjob", "tick");
        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        await Poll.UntilAsync("the manual Job collected after its CronJob was deleted", async () =>
            (await cluster.Client.BatchV1.ListNamespacedJobAsync(ns)).Items.Count == 0,
            TimeSpan.FromSeconds(30), () => WorkloadCluster.Tail(cluster.Server.Output));
    }
}
