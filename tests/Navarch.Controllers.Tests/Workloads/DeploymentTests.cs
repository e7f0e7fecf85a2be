using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.Workloads;

[Trait("Category", "Integration")]
[Collection(WorkloadClusterCollection.Name)]
public sealed class DeploymentTests(WorkloadCluster cluster)
{
    private async Task<KubectlResult> Ok(Kubectl kubectl, params string[] args)
    {
        var r = await kubectl.RunAsync(args);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {r}\n{WorkloadCluster.Tail(cluster.Server.Output)}");
        return r;
    }

    [Fact]
    public async Task Create_set_image_history_and_undo_with_kubectl()
    {
        var ns = await cluster.NamespaceAsync("deploy");
        using var kubectl = new Kubectl(cluster.Server.Url);
        await Ok(kubectl, "create", "deployment", "web", "--image=nginx", "--replicas=3", "-n", ns);
        var status = await Ok(kubectl, "rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        Assert.Contains("successfully rolled out", status.Stdout);
        var d = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal((3, 3, 3), (d.Status.AvailableReplicas, d.Status.UpdatedReplicas, d.Status.ReadyReplicas));
        Assert.Contains(d.Status.Conditions, c => c is { Type: "Available", Status: "True" });

        await Ok(kubectl, "set", "image", "deployment/web", "nginx=nginx:v2", "-n", ns);
        await Ok(kubectl, "rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        var pods = (await cluster.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=web")).Items.Where(p => p.Metadata.DeletionTimestamp is null).ToList();
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("nginx:v2", p.Spec.Containers[0].Image));
        var history = await Ok(kubectl, "rollout", "history", "deployment/web", "-n", ns);
        Assert.Matches(@"(?m)^1\s", history.Stdout);
        Assert.Matches(@"(?m)^2\s", history.Stdout);
        using (var old = new Kubectl(cluster.Server.Url, Kubectl.V127))
        {
            Assert.Matches(@"(?m)^2\s", (await Ok(old, "rollout", "history", "deployment/web", "-n", ns)).Stdout);
            Assert.Contains("successfully rolled out", (await Ok(old, "rollout", "status", "deployment/web", "-n", ns, "--timeout=30s")).Stdout);
        }

        await Ok(kubectl, "rollout", "undo", "deployment/web", "-n", ns);
        await Ok(kubectl, "rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        d = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal("nginx", d.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("3", d.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        var sets = (await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items;
        Assert.Equal(2, sets.Count);
        Assert.Contains(sets, s => s.Spec.Replicas == 0 && s.Spec.Template.Spec.Containers[0].Image == "nginx:v2");
        var events = (await cluster.Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.InvolvedObject.Kind == "Deployment").ToList();
        Assert.Contains(events, e => e.Reason == "ScalingReplicaSet" && e.Message.StartsWith("Scaled up replica set web-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rollout_whose_pods_never_turn_ready_exceeds_its_progress_deadline()
    {
        var ns = await cluster.NamespaceAsync("deadline");
        using var kubectl = new Kubectl(cluster.Server.Url);
        await Ok(kubectl, "create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", ns);
        await Ok(kubectl, "rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        await Ok(kubectl, "patch", "deployment/web", "-n", ns, "-p", """{"spec":{"progressDeadlineSeconds":3}}""");
        await Ok(kubectl, "set", "image", "deployment/web", $"nginx={WorkloadCluster.NeverReady}", "-n", ns);

        var r = await kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("exceeded its progress deadline", r.Stderr);
        var d = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        var progressing = d.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("False", "ProgressDeadlineExceeded"), (progressing.Status, progressing.Reason));
        // maxUnavailable 25% of 2 rounds down to 0: both old pods stayed.
        Assert.Equal(2, d.Status.AvailableReplicas);
    }

    [Fact]
    public async Task Scaling_a_deployment_with_kubectl_resizes_its_replica_set()
    {
        var ns = await cluster.NamespaceAsync("scale");
        using var kubectl = new Kubectl(cluster.Server.Url);
        await Ok(kubectl, "create", "deployment", "web", "--image=nginx", "--replicas=1", "-n", ns);
        await Ok(kubectl, "rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        await Ok(kubectl, "scale", "deployment/web", "--replicas=4", "-n", ns);
        V1Deployment? d = null;
        await Poll.UntilAsync("4 available replicas", async () =>
        {
            d = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
            return d.Status?.AvailableReplicas == 4 && d.Status.ObservedGeneration == d.Metadata.Generation;
        }, TimeSpan.FromSeconds(30), () => KubernetesJson.Serialize(d?.Status));
        Assert.Single((await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items);
    }

    [Fact]
    public async Task Pause_holds_a_change_until_resume_and_restart_rolls_new_pods()
    {
        var ns = await cluster.NamespaceAsync("pause");
        using var kubectl = new Kubectl(cluster.Server.Url);
        await Ok(kubectl, "create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", ns);
        await Ok(kubectl, "rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        await Ok(kubectl, "rollout", "pause", "deployment/web", "-n", ns);
        await Ok(kubectl, "set", "image", "deployment/web", "nginx=nginx:v2", "-n", ns);
        V1Deployment? d = null;
        await Poll.UntilAsync("the paused change observed", async () =>
        {
            d = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
            return d.Status?.ObservedGeneration == d.Metadata.Generation;
        }, TimeSpan.FromSeconds(20), () => KubernetesJson.Serialize(d?.Status));
        Assert.Equal("DeploymentPaused", d!.Status.Conditions.Single(c => c.Type == "Progressing").Reason);
        Assert.Single((await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items);

        await Ok(kubectl, "rollout", "resume", "deployment/web", "-n", ns);
        await Ok(kubectl, "rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        Assert.Equal(2, (await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items.Count);

        await Ok(kubectl, "rollout", "restart", "deployment/web", "-n", ns);
        await Ok(kubectl, "rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        var sets = (await cluster.Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items;
        Assert.Equal(3, sets.Count);
        Assert.Single(sets, s => s.Spec.Replicas == 2 && s.Spec.Template.Metadata.Annotations?.ContainsKey("kubectl.kubernetes.io/restartedAt") == true);
    }
}
