using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.NodeLifecycle;

[Trait("Category", "Integration")]
public sealed class NodeLifecycleIntegrationTests
{
    private static bool HasTaint(V1Node n, string key, string effect) => n.Spec.Taints?.Any(t => t.Key == key && t.Effect == effect) == true;

    [Fact]
    public async Task When_every_node_dies_nothing_is_evicted_until_one_comes_back()
    {
        await using var server = await ServerProcess.StartSecureAsync("--disable-scheduler",
            "--node-monitor-grace-period-seconds", "3", "--node-monitor-period-seconds", "1");
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        await using var nodes = await FakeNodes.StartAsync(client, new FakeNodeOptions { Count = 2 });
        var (first, second) = (nodes.Names[0], nodes.Names[1]);
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "patient" },
            Spec = new V1PodSpec
            {
                NodeName = first,
                Containers = [new V1Container { Name = "c", Image = "nginx" }],
                Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 3 }],
            },
        }, "default");
        await Poll.UntilAsync("the pod running", async () => (await client.CoreV1.ReadNamespacedPodAsync("patient", "default")).Status?.Phase == "Running");

        nodes.StopHeartbeat(first);
        nodes.StopHeartbeat(second);
        IList<V1Node> seen = [];
        await Poll.UntilAsync("both nodes Unknown, tainted NoSchedule but not NoExecute", async () =>
        {
            seen = (await client.CoreV1.ListNodeAsync()).Items;
            return seen.All(n => n.Status.Conditions.Single(c => c.Type == "Ready").Status == "Unknown"
                && HasTaint(n, "node.kubernetes.io/unreachable", "NoSchedule") && !HasTaint(n, "node.kubernetes.io/unreachable", "NoExecute"));
        }, TimeSpan.FromSeconds(20), () => KubernetesJson.Serialize(seen.Select(n => n.Spec.Taints)));
        V1Pod? pod = null;
        await Poll.UntilAsync("the pod on the dead node marked not ready", async () =>
            (pod = await client.CoreV1.ReadNamespacedPodAsync("patient", "default")).Status.Conditions.Single(c => c.Type == "Ready").Status == "False",
            lastSeen: () => KubernetesJson.Serialize(pod?.Status?.Conditions) + server.Output);
        Assert.Null(pod!.Metadata.DeletionTimestamp);

        nodes.ResumeHeartbeat(second);
        await Poll.UntilAsync("the live node Ready again", async () =>
            (await client.CoreV1.ReadNodeAsync(second)).Status.Conditions.Single(c => c.Type == "Ready").Status == "True");
        Assert.Null((await client.CoreV1.ReadNamespacedPodAsync("patient", "default")).Metadata.DeletionTimestamp);

        await Poll.UntilAsync("the dead node tainted NoExecute", async () => HasTaint(await client.CoreV1.ReadNodeAsync(first), "node.kubernetes.io/unreachable", "NoExecute"));
        await Poll.UntilAsync("the pod evicted once its toleration ran out", async () =>
            (await client.CoreV1.ReadNamespacedPodAsync("patient", "default")).Metadata.DeletionTimestamp is not null, TimeSpan.FromSeconds(15));
    }
}
