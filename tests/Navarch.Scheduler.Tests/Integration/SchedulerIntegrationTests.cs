using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Scheduler.Tests.Integration;

[Trait("Category", "Integration")]
public class SchedulerIntegrationTests(SchedulerServer server) : IClassFixture<SchedulerServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private IKubernetes Client => server.Client;

    private static V1Pod Pod(string name, IDictionary<string, string>? labels = null, string? cpu = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container
            {
                Name = "nginx",
                Image = "nginx",
                Resources = cpu is null ? null : new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu) } },
            }],
        },
    };

    [Fact]
    public async Task The_seeds_pods_are_bound_to_different_nodes_with_Scheduled_events()
    {
        var ns = await server.NamespaceAsync("seed");
        var labels = new Dictionary<string, string> { ["name"] = "nginx" };
        // The seed's service selects the pods: that is what makes them siblings to spread.
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "nginx-service-clusterip" },
            Spec = new V1ServiceSpec { Selector = labels, Ports = [new V1ServicePort { Port = 8001, TargetPort = 80 }] },
        }, ns);
        await Poll.UntilAsync("the service reaches the scheduler's informer", async () => (await Client.CoreV1.ListNamespacedServiceAsync(ns)).Items.Count == 1, Timeout);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("nginx-a", labels), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("nginx-b", labels), ns);

        IList<V1Pod> pods = [];
        await Poll.UntilAsync("both seed pods bound", async () =>
        {
            pods = (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items;
            return pods.Count == 2 && pods.All(p => !string.IsNullOrEmpty(p.Spec.NodeName));
        }, Timeout, () => string.Join("\n", pods.Select(p => $"{p.Metadata.Name} -> {p.Spec.NodeName}")) + "\n" + server.Output);
        Assert.NotEqual(pods[0].Spec.NodeName, pods[1].Spec.NodeName);
        Assert.All(pods, p => Assert.Contains(p.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True"));

        IList<Corev1Event> events = [];
        await Poll.UntilAsync("a Scheduled event per pod", async () =>
        {
            events = (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.Reason == "Scheduled").ToList();
            return events.Count == 2;
        }, Timeout, () => string.Join("\n", events.Select(e => e.Message)));
        foreach (var pod in pods)
        {
            var ev = Assert.Single(events, e => e.InvolvedObject.Name == pod.Metadata.Name);
            Assert.Equal($"Successfully assigned {ns}/{pod.Metadata.Name} to {pod.Spec.NodeName}", ev.Message);
            Assert.Equal("default-scheduler", ev.Source.Component);
            Assert.Equal("Normal", ev.Type);
        }
    }

    [Fact]
    public async Task A_starved_pod_reports_why_and_is_bound_once_a_node_fits_it()
    {
        var ns = await server.NamespaceAsync("starved");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("hungry", cpu: "100"), ns);

        IList<Corev1Event> events = [];
        await Poll.UntilAsync("FailedScheduling for the starved pod", async () =>
        {
            events = (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Where(e => e.Reason == "FailedScheduling").ToList();
            return events.Count > 0;
        }, Timeout, () => server.Output);
        var failed = events[0];
        Assert.Equal("Warning", failed.Type);
        Assert.Equal("default-scheduler", failed.Source.Component);
        Assert.Matches(@"^0/(\d+) nodes are available: \1 Insufficient cpu\. preemption: 0/\1 nodes are available: \1 Preemption is not helpful for scheduling\.$", failed.Message);

        V1Pod? pod = null;
        await Poll.UntilAsync("PodScheduled=False Unschedulable", async () =>
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync("hungry", ns);
            return pod.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable") == true;
        }, Timeout, () => KubernetesJson.Serialize(pod?.Status));
        Assert.Equal(failed.Message, pod!.Status.Conditions.Single(c => c.Type == "PodScheduled").Message);
        Assert.True(string.IsNullOrEmpty(pod.Spec.NodeName));

        await Client.CoreV1.CreateNodeAsync(SchedulerServer.Node("big-node", "128"));
        await Poll.UntilAsync("the starved pod bound to the new node", async () =>
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync("hungry", ns);
            return pod.Spec.NodeName == "big-node";
        }, Timeout, () => $"nodeName={pod?.Spec.NodeName}\n{server.Output}");
    }

    [Fact]
    public async Task Pods_for_another_scheduler_or_tainted_nodes_are_left_alone()
    {
        var ns = await server.NamespaceAsync("other");
        var foreign = Pod("foreign");
        foreign.Spec.SchedulerName = "someone-else";
        await Client.CoreV1.CreateNamespacedPodAsync(foreign, ns);
        var selective = Pod("selective");
        selective.Spec.NodeSelector = new Dictionary<string, string> { ["disk"] = "ssd" };
        await Client.CoreV1.CreateNamespacedPodAsync(selective, ns);

        await Poll.UntilAsync("FailedScheduling for the pod no node matches", async () =>
            (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Any(e => e.Reason == "FailedScheduling" && e.InvolvedObject.Name == "selective" &&
                e.Message.Contains("node(s) didn't match Pod's node affinity/selector", StringComparison.Ordinal)), Timeout);
        var events = (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items;
        Assert.DoesNotContain(events, e => e.InvolvedObject.Name == "foreign");
        Assert.True(string.IsNullOrEmpty((await Client.CoreV1.ReadNamespacedPodAsync("foreign", ns)).Spec.NodeName));
    }
}
