using System.Net;
using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.SeedCluster;

/// <summary>
/// The seed walkthrough against a real server with the controllers and the scheduler, on three fake nodes:
/// the RC's pods run on two nodes with IPs from their subnets, the Services show them, and a node that dies
/// has its pod replaced elsewhere.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SeedClusterTests : IAsyncLifetime
{
    private ServerProcess _server = null!;
    private IKubernetes _client = null!;
    private FakeNodes _nodes = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartSecureAsync("--cluster-cidr", "172.16.0.0/16",
            "--node-monitor-grace-period-seconds", "4", "--node-monitor-period-seconds", "1");
        _client = new Kubernetes(new KubernetesClientConfiguration { Host = _server.Url });
        _nodes = await FakeNodes.StartAsync(_client, new FakeNodeOptions { Count = 3, HeartbeatInterval = TimeSpan.FromSeconds(1) });
    }

    public async Task DisposeAsync()
    {
        if (_nodes is not null) await _nodes.DisposeAsync();
        _client?.Dispose();
        if (_server is not null) await _server.DisposeExpectingNoRefusalsAsync();
    }

    private async Task<List<V1Pod>> NginxPodsAsync() =>
        [.. (await _client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "name=nginx")).Items];

    private static bool Running(V1Pod p) => p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP);

    private static bool InSubnet(string ip, string cidr) => IPNetwork.Parse(cidr).Contains(IPAddress.Parse(ip));

    private async Task<string> EndpointIpsAsync(string service)
    {
        try
        {
            var e = await _client.CoreV1.ReadNamespacedEndpointsAsync(service, "default");
            return string.Join(",", (e.Subsets ?? []).SelectMany(s => (s.Addresses ?? []).Select(a => $"{a.Ip}:{s.Ports.Single().Port}")).Order());
        }
        catch (k8s.Autorest.HttpOperationException) { return ""; }
    }

    private async Task<string> SliceIpsAsync(string service) =>
        string.Join(",", (await _client.DiscoveryV1.ListNamespacedEndpointSliceAsync("default", labelSelector: $"kubernetes.io/service-name={service}")).Items
            .SelectMany(s => (s.Endpoints ?? []).Where(e => e.Conditions?.Ready == true).Select(e => $"{e.Addresses[0]}:{s.Ports.Single().Port}")).Order());

    [Fact]
    public async Task Seed_pods_spread_over_nodes_show_in_services_and_move_off_a_dead_node()
    {
        string Dump(IEnumerable<V1Pod> pods) => string.Join("\n", pods.Select(p => $"{p.Metadata.Name} node={p.Spec.NodeName} phase={p.Status?.Phase} ip={p.Status?.PodIP} deleting={p.Metadata.DeletionTimestamp is not null}"));

        // Phase 1: node IPAM gives each node a /24 of the seed's FLANNEL_NET.
        var cidrs = new Dictionary<string, string>();
        await Poll.UntilAsync("every node has a podCIDR from 172.16.0.0/16", async () =>
        {
            foreach (var n in (await _client.CoreV1.ListNodeAsync()).Items)
                if (n.Spec?.PodCIDR is { } c) cidrs[n.Metadata.Name] = c;
            return cidrs.Count == 3;
        }, lastSeen: () => string.Join(",", cidrs));
        Assert.All(cidrs.Values, c => Assert.Matches(@"^172\.16\.\d+\.0/24$", c));
        Assert.Equal(3, cidrs.Values.Distinct().Count());

        // Phase 2: the seed's RC (tolerating a dead node for 2 s instead of 300) and Services.
        var rc = KubernetesYaml.Deserialize<V1ReplicationController>(Testing.Seed.NginxRc);
        rc.Spec.Template.Spec.Tolerations =
        [
            new V1Toleration { Key = "node.kubernetes.io/unreachable", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 2 },
            new V1Toleration { Key = "node.kubernetes.io/not-ready", OperatorProperty = "Exists", Effect = "NoExecute", TolerationSeconds = 2 },
        ];
        await _client.CoreV1.CreateNamespacedReplicationControllerAsync(rc, "default");
        using var kubectl = new Kubectl(_server.Url);
        var created = await kubectl.RunAsync(["create", "-f", kubectl.WriteFile("services.yaml", Testing.Seed.ClusterIpService + "\n---\n" + Testing.Seed.NodePortService)]);
        Assert.True(created.ExitCode == 0, created.ToString());

        List<V1Pod> pods = [];
        await Poll.UntilAsync("2 nginx pods Running on 2 different nodes", async () =>
        {
            pods = (await NginxPodsAsync()).Where(Running).ToList();
            return pods.Count == 2 && pods.Select(p => p.Spec.NodeName).Distinct().Count() == 2;
        }, TimeSpan.FromSeconds(30), () => Dump(pods) + "\n" + _server.Output[^Math.Min(2000, _server.Output.Length)..]);
        Assert.All(pods, p => Assert.True(InSubnet(p.Status.PodIP, cidrs[p.Spec.NodeName]), $"{p.Status.PodIP} not in {cidrs[p.Spec.NodeName]}"));
        Assert.All(pods, p => Assert.Equal(_nodes.AddressOf(p.Spec.NodeName), p.Status.HostIP));

        // Phase 3: both Services list the two pods, in Endpoints and in slices, and kubectl describe shows them.
        var expected = string.Join(",", pods.Select(p => $"{p.Status.PodIP}:80").Order());
        foreach (var service in new[] { "nginx-service-clusterip", "nginx-service-nodeport" })
        {
            var seen = "";
            await Poll.UntilAsync($"Endpoints of {service}", async () => (seen = await EndpointIpsAsync(service)) == expected, lastSeen: () => seen);
            await Poll.UntilAsync($"EndpointSlices of {service}", async () => (seen = await SliceIpsAsync(service)) == expected, lastSeen: () => seen);
        }
        foreach (var binary in new[] { Kubectl.Default, Kubectl.V127 })
        {
            using var k = new Kubectl(_server.Url, binary);
            var described = await k.RunAsync("describe", "service", "nginx-service-clusterip");
            Assert.True(described.ExitCode == 0, described.ToString());
            var line = described.Stdout.Split('\n').Single(l => l.StartsWith("Endpoints:"));
            Assert.All(pods, p => Assert.Contains($"{p.Status.PodIP}:80", line));
        }

        // Phase 4: the node of one pod stops heartbeating.
        var victim = pods[0];
        var dead = victim.Spec.NodeName;
        _nodes.StopHeartbeat(dead);
        V1Node? node = null;
        await Poll.UntilAsync($"node {dead} Ready=Unknown with the unreachable NoExecute taint", async () =>
        {
            node = await _client.CoreV1.ReadNodeAsync(dead);
            return node.Status.Conditions.Single(c => c.Type == "Ready").Status == "Unknown"
                && node.Spec.Taints?.Any(t => t.Key == "node.kubernetes.io/unreachable" && t.Effect == "NoExecute") == true;
        }, TimeSpan.FromSeconds(20), () => KubernetesJson.Serialize(node?.Spec) + KubernetesJson.Serialize(node?.Status?.Conditions));
        var ready = node!.Status.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("NodeStatusUnknown", "Kubelet stopped posting node status."), (ready.Reason, ready.Message));

        await Poll.UntilAsync("the dead node's pod evicted and replaced on a healthy node", async () =>
        {
            pods = await NginxPodsAsync();
            var victimNow = pods.FirstOrDefault(p => p.Metadata.Uid == victim.Metadata.Uid);
            var live = pods.Where(Running).ToList();
            return (victimNow is null || victimNow.Metadata.DeletionTimestamp is not null)
                && live.Count == 2 && live.All(p => p.Spec.NodeName != dead);
        }, TimeSpan.FromSeconds(30), () => Dump(pods));
        var healthy = pods.Where(Running).ToList();
        expected = string.Join(",", healthy.Select(p => $"{p.Status.PodIP}:80").Order());
        var now = "";
        await Poll.UntilAsync("Endpoints without the evicted pod", async () => (now = await EndpointIpsAsync("nginx-service-clusterip")) == expected, lastSeen: () => now);
        var events = (await _client.CoreV1.ListNamespacedEventAsync("default")).Items;
        Assert.Contains(events, e => e.Reason == "TaintManagerEviction" && e.InvolvedObject.Name == victim.Metadata.Name);
        Assert.Contains(events, e => e.Reason == "NodeNotReady" && e.InvolvedObject.Name == dead);
    }
}
