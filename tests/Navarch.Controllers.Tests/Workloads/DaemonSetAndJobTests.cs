using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.Workloads;

[Trait("Category", "Integration")]
[Collection(WorkloadClusterCollection.Name)]
public sealed class DaemonSetAndJobTests(WorkloadCluster cluster)
{
    private IKubernetes Client => cluster.Client;

    private static V1PodTemplateSpec Template(string app, string image, string restartPolicy = "Always") => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { RestartPolicy = restartPolicy, Containers = [new V1Container { Name = app, Image = image }] },
    };

    /// <summary>Waits for the Job's condition, then checks that kubectl wait agrees.</summary>
    private async Task WaitForJobAsync(string ns, string name, string condition)
    {
        V1Job? job = null;
        IList<V1Pod> pods = [];
        await Poll.UntilAsync($"job {name} {condition}", async () =>
        {
            job = await Client.BatchV1.ReadNamespacedJobAsync(name, ns);
            pods = (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items;
            return job.Status?.Conditions?.Any(c => c.Type == condition && c.Status == "True") == true;
        }, TimeSpan.FromSeconds(40), () => (job?.Status is null ? "no status" : KubernetesJson.Serialize(job.Status)) + "\n" + string.Join("\n", pods.Select(p => $"{p.Metadata.Name} node={p.Spec.NodeName} phase={p.Status?.Phase}"))
            + "\n" + WorkloadCluster.Tail(cluster.Server.Output));
        using var kubectl = new Kubectl(cluster.Server.Url);
        var wait = await kubectl.RunAsync(["wait", $"--for=condition={condition.ToLowerInvariant()}", $"job/{name}", "-n", ns, "--timeout=10s"], timeout: TimeSpan.FromSeconds(20));
        Assert.True(wait.ExitCode == 0, wait.ToString());
    }

    private async Task<List<V1Pod>> LivePodsAsync(string ns, string app) =>
        [.. (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"app={app}")).Items.Where(p => p.Metadata.DeletionTimestamp is null)];

    [Fact]
    public async Task A_daemon_set_runs_on_every_node_but_a_tainted_one_and_on_a_node_added_later()
    {
        var ns = await cluster.NamespaceAsync("daemons");
        var tainted = cluster.Nodes.Names[2];
        await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"taints":[{"key":"dedicated","value":"db","effect":"NoSchedule"}]}}""", V1Patch.PatchType.MergePatch), tainted);
        try
        {
            V1DaemonSet Daemon(string name, IList<V1Toleration>? tolerations)
            {
                var template = Template(name, "nginx");
                template.Spec.Tolerations = tolerations;
                return new V1DaemonSet
                {
                    Metadata = new V1ObjectMeta { Name = name },
                    Spec = new V1DaemonSetSpec { Selector = new V1LabelSelector { MatchLabels = template.Metadata.Labels }, Template = template },
                };
            }
            await Client.AppsV1.CreateNamespacedDaemonSetAsync(Daemon("plain", null), ns);
            await Client.AppsV1.CreateNamespacedDaemonSetAsync(Daemon("tolerant", [new V1Toleration { Key = "dedicated", OperatorProperty = "Exists", Effect = "NoSchedule" }]), ns);

            List<V1Pod> plain = [], tolerant = [];
            string Dump() => string.Join("\n", plain.Concat(tolerant).Select(p => $"{p.Metadata.Name} node={p.Spec.NodeName} phase={p.Status?.Phase}")) + WorkloadCluster.Tail(cluster.Server.Output);
            await Poll.UntilAsync("plain on the 2 untainted nodes, tolerant on all 3", async () =>
            {
                plain = await LivePodsAsync(ns, "plain");
                tolerant = await LivePodsAsync(ns, "tolerant");
                return plain.Count(p => p.Status?.Phase == "Running") == 2 && tolerant.Count(p => p.Status?.Phase == "Running") == 3;
            }, TimeSpan.FromSeconds(30), Dump);
            Assert.DoesNotContain(plain, p => p.Spec.NodeName == tainted);
            Assert.Equal(cluster.Nodes.Names.Order(), tolerant.Select(p => p.Spec.NodeName).Order());

            await using var late = await FakeNodes.StartAsync(Client, new FakeNodeOptions { Count = 1, NamePrefix = "late-", FirstAddress = 210 });
            await Poll.UntilAsync("both daemons on the node added later", async () =>
            {
                plain = await LivePodsAsync(ns, "plain");
                tolerant = await LivePodsAsync(ns, "tolerant");
                return plain.Any(p => p.Spec.NodeName == "late-1" && p.Status?.Phase == "Running") && tolerant.Any(p => p.Spec.NodeName == "late-1");
            }, TimeSpan.FromSeconds(30), Dump);
            var ds = await Client.AppsV1.ReadNamespacedDaemonSetAsync("plain", ns);
            await Poll.UntilAsync("status: 3 desired, 3 ready", async () =>
                (ds = await Client.AppsV1.ReadNamespacedDaemonSetAsync("plain", ns)).Status is { DesiredNumberScheduled: 3, NumberReady: 3, UpdatedNumberScheduled: 3 },
                TimeSpan.FromSeconds(20), () => KubernetesJson.Serialize(ds.Status));
            using (var kubectl = new Kubectl(cluster.Server.Url))
            {
                var rollout = await kubectl.RunAsync("rollout", "status", "daemonset/plain", "-n", ns, "--timeout=20s");
                Assert.True(rollout.ExitCode == 0 && rollout.Stdout.Contains("successfully rolled out"), rollout.ToString());
            }
            var revisions = (await Client.AppsV1.ListNamespacedControllerRevisionAsync(ns)).Items.Where(r => r.Metadata.OwnerReferences?.Any(o => o.Uid == ds.Metadata.Uid) == true);
            Assert.Equal(1, Assert.Single(revisions).Revision);
        }
        finally
        {
            await Client.CoreV1.PatchNodeAsync(new V1Patch("""{"spec":{"taints":null}}""", V1Patch.PatchType.MergePatch), tainted);
            await Client.CoreV1.DeleteNodeAsync("late-1");
        }
    }

    [Fact]
    public async Task A_job_of_5_completions_2_at_a_time_completes()
    {
        var ns = await cluster.NamespaceAsync("job");
        await Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "five" },
            Spec = new V1JobSpec { Completions = 5, Parallelism = 2, Template = Template("five", WorkloadCluster.Succeeds, "Never") },
        }, ns);
        await WaitForJobAsync(ns, "five", "Complete");
        var job = await Client.BatchV1.ReadNamespacedJobAsync("five", ns);
        Assert.Equal(5, job.Status.Succeeded);
        Assert.NotNull(job.Status.CompletionTime);
        Assert.Equal(5, (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "batch.kubernetes.io/job-name=five")).Items.Count);
    }

    [Fact]
    public async Task A_failing_job_stops_at_its_backoff_limit()
    {
        var ns = await cluster.NamespaceAsync("job-fail");
        await Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "fails" },
            Spec = new V1JobSpec { Completions = 3, Parallelism = 3, BackoffLimit = 2, Template = Template("fails", WorkloadCluster.Fails, "Never") },
        }, ns);
        await WaitForJobAsync(ns, "fails", "Failed");
        var job = await Client.BatchV1.ReadNamespacedJobAsync("fails", ns);
        Assert.Equal("BackoffLimitExceeded", job.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        Assert.Equal(3, job.Status.Failed);
        Assert.Equal(3, (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count);
    }

    [Fact]
    public async Task An_indexed_job_gives_each_pod_its_index()
    {
        var ns = await cluster.NamespaceAsync("job-indexed");
        await Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "indexed" },
            Spec = new V1JobSpec { Completions = 3, Parallelism = 3, CompletionMode = "Indexed", Template = Template("indexed", WorkloadCluster.Succeeds, "Never") },
        }, ns);
        await WaitForJobAsync(ns, "indexed", "Complete");
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items;
        Assert.Equal(["0", "1", "2"], pods.Select(p => p.Metadata.Annotations["batch.kubernetes.io/job-completion-index"]).Order());
        Assert.All(pods, p => Assert.Contains(p.Spec.Containers[0].Env, e => e.Name == "JOB_COMPLETION_INDEX"));
        Assert.Equal("0-2", (await Client.BatchV1.ReadNamespacedJobAsync("indexed", ns)).Status.CompletedIndexes);
    }
}
