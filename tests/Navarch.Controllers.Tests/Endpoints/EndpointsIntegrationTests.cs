using System.Diagnostics;
using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.Endpoints;

[Trait("Category", "Integration")]
public sealed class EndpointsIntegrationTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    private IKubernetes Client => cluster.Client;

    private async Task<V1Pod> CreatePodAsync(string name, string app, string node, int containerPort)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Containers = [new V1Container { Name = "web", Image = "nginx", Ports = [new V1ContainerPort { Name = "http", ContainerPort = containerPort }] }],
            },
        };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, "default");
        V1Pod? running = null;
        await Poll.UntilAsync($"pod {name} running with an IP", async () =>
        {
            running = await Client.CoreV1.ReadNamespacedPodAsync(name, "default");
            return running.Status?.Phase == "Running" && !string.IsNullOrEmpty(running.Status.PodIP);
        }, lastSeen: () => KubernetesJson.Serialize(running?.Status));
        return running!;
    }

    private async Task CreateServiceAsync(string name, string app, string targetPort) =>
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["tier"] = "test" } },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = app }, Ports = [new V1ServicePort { Name = "web", Port = 80, TargetPort = targetPort }] },
        }, "default");

    private async Task<V1Endpoints?> EndpointsAsync(string name)
    {
        try { return await Client.CoreV1.ReadNamespacedEndpointsAsync(name, "default"); }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { return null; }
    }

    private async Task<IList<V1EndpointSlice>> SlicesAsync(string service) =>
        (await Client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: $"kubernetes.io/service-name={service}")).Items;

    private static string Addresses(V1Endpoints? e, bool ready) =>
        string.Join(",", (e?.Subsets ?? []).SelectMany(s => (ready ? s.Addresses : s.NotReadyAddresses) ?? []).Select(a => a.Ip).Order());

    [Fact]
    public async Task Endpoints_and_slices_follow_pod_readiness_with_named_ports_resolved_per_pod()
    {
        var a = await CreatePodAsync("ready-a", "ready", cluster.Nodes.Names[0], 8080);
        var b = await CreatePodAsync("ready-b", "ready", cluster.Nodes.Names[1], 9090);
        await CreateServiceAsync("ready", "ready", "http");
        var both = string.Join(",", new[] { a.Status.PodIP, b.Status.PodIP }.Order());

        V1Endpoints? endpoints = null;
        await Poll.UntilAsync("Endpoints with both pods ready", async () => Addresses(endpoints = await EndpointsAsync("ready"), true) == both,
            lastSeen: () => KubernetesJson.Serialize(endpoints));
        Assert.Equal([8080, 9090], endpoints!.Subsets.Select(s => s.Ports.Single().Port).Order());
        var address = endpoints.Subsets.SelectMany(s => s.Addresses).Single(x => x.Ip == a.Status.PodIP);
        Assert.Equal(("Pod", "ready-a", a.Metadata.Uid, cluster.Nodes.Names[0]), (address.TargetRef.Kind, address.TargetRef.Name, address.TargetRef.Uid, address.NodeName));
        Assert.Equal("test", endpoints.Metadata.Labels["tier"]);
        Assert.True(endpoints.Metadata.Annotations.ContainsKey("endpoints.kubernetes.io/last-change-trigger-time"));

        IList<V1EndpointSlice> slices = [];
        await Poll.UntilAsync("slices with both pods", async () => (slices = await SlicesAsync("ready")).Sum(s => s.Endpoints?.Count ?? 0) == 2,
            lastSeen: () => KubernetesJson.Serialize(slices));
        Assert.All(slices, s =>
        {
            Assert.StartsWith("ready-", s.Metadata.Name);
            Assert.Equal("endpointslice-controller.k8s.io", s.Metadata.Labels["endpointslice.kubernetes.io/managed-by"]);
            Assert.Equal("Service", s.Metadata.OwnerReferences.Single().Kind);
        });

        // The pod turns unready: it must move within about a second.
        var readyFalse = """{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"ContainersReady","status":"False"}]}}""";
        var clock = Stopwatch.StartNew();
        await Client.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(readyFalse, V1Patch.PatchType.StrategicMergePatch), "ready-a", "default");
        await Poll.UntilAsync("the unready pod among notReadyAddresses", async () => Addresses(endpoints = await EndpointsAsync("ready"), false) == a.Status.PodIP,
            TimeSpan.FromSeconds(5), () => KubernetesJson.Serialize(endpoints));
        await Poll.UntilAsync("the unready pod's slice endpoint not ready", async () =>
            (await SlicesAsync("ready")).SelectMany(s => s.Endpoints ?? []).Any(e => e.TargetRef.Name == "ready-a" && e.Conditions.Ready == false),
            TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"endpoints took {clock.Elapsed.TotalMilliseconds:0} ms to follow the pod");
        Assert.Equal(b.Status.PodIP, Addresses(endpoints, true));
    }

    [Fact]
    public async Task A_deleted_pod_leaves_and_a_deleted_service_takes_its_endpoints_and_slices_along()
    {
        await CreatePodAsync("gone-a", "gone", cluster.Nodes.Names[0], 80);
        var b = await CreatePodAsync("gone-b", "gone", cluster.Nodes.Names[1], 80);
        await CreateServiceAsync("gone", "gone", "80");
        await Poll.UntilAsync("Endpoints with two pods", async () => Addresses(await EndpointsAsync("gone"), true).Contains(','));

        await Client.CoreV1.DeleteNamespacedPodAsync("gone-a", "default");
        await Poll.UntilAsync("Endpoints without the deleted pod", async () => Addresses(await EndpointsAsync("gone"), true) == b.Status.PodIP);

        await Client.CoreV1.DeleteNamespacedServiceAsync("gone", "default");
        await Poll.UntilAsync("Endpoints deleted", async () => await EndpointsAsync("gone") is null);
        await Poll.UntilAsync("slices deleted", async () => (await SlicesAsync("gone")).Count == 0);
    }

    [Fact]
    public async Task Services_without_a_selector_and_the_kubernetes_service_keep_their_own_endpoints()
    {
        var apiServer = await EndpointsAsync("kubernetes");
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "manual" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        }, "default");
        await Client.CoreV1.CreateNamespacedEndpointsAsync(new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = "manual" },
            Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "10.1.2.3" }], Ports = [new Corev1EndpointPort { Port = 80 }] }],
        }, "default");
        // A selector Service made after them shows the controller has seen them all.
        await CreatePodAsync("after-a", "after", cluster.Nodes.Names[0], 80);
        await CreateServiceAsync("after", "after", "80");
        await Poll.UntilAsync("Endpoints of the later Service", async () => Addresses(await EndpointsAsync("after"), true) != "");

        Assert.Equal("10.1.2.3", Addresses(await EndpointsAsync("manual"), true));
        Assert.Equal(apiServer!.Metadata.ResourceVersion, (await EndpointsAsync("kubernetes"))!.Metadata.ResourceVersion);
    }
}
