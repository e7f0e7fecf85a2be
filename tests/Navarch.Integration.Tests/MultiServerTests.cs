using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Durability;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;

namespace Navarch.Integration.Tests;

/// <summary>Two API servers on one etcd: either serves every request, and the <c>kubernetes</c> endpoints list the live ones.</summary>
[Trait("Category", "Integration")]
public sealed class MultiServerTests
{
    private static readonly string[] Flags = [.. ServerFixture.ApiServerOnly, "--master-lease-ttl-seconds", "3", "--service-cluster-ip-range", "10.77.0.0/24"];

    [Fact]
    public async Task Writes_through_one_are_watched_through_the_other_and_endpoints_follow_the_live_servers()
    {
        await using var etcd = await EtcdCluster.StartAsync();
        string[] store = ["--storage-backend", "etcd", "--etcd-servers", etcd.ServersFlag];
        await using var a = await ServerProcess.StartAsync([.. Flags, .. store]);
        await using var b = await ServerProcess.StartAsync([.. Flags, .. store]);
        using var viaA = new Kubernetes(new KubernetesClientConfiguration { Host = a.Url });
        using var viaB = new Kubernetes(new KubernetesClientConfiguration { Host = b.Url });
        await using var watchB = new ResumingPodWatch(b.Url, "default");

        var pod = await viaA.CoreV1.CreateNamespacedPodAsync(Objects.Pod("through-a"), "default");
        await Poll.UntilAsync("B's watch to see the pod created through A",
            () => watchB.View().GetValueOrDefault("through-a") == long.Parse(pod.Metadata.ResourceVersion));
        Assert.Equal(pod.Metadata.Uid, (await viaB.CoreV1.ReadNamespacedPodAsync("through-a", "default")).Metadata.Uid);

        await Poll.UntilAsync("the kubernetes endpoints to list both servers", async () => (await PortsAsync(viaB)).SetEquals([a.Port, b.Port]));
        await b.KillAsync();
        await Poll.UntilAsync("the kubernetes endpoints to drop the killed server", async () => (await PortsAsync(viaA)).SetEquals([a.Port]),
            TimeSpan.FromSeconds(15));
        Assert.Empty(watchB.Anomalies);
    }

    [Fact]
    public async Task Cluster_ips_and_node_ports_are_unique_across_servers()
    {
        await using var etcd = await EtcdCluster.StartAsync();
        string[] store = ["--storage-backend", "etcd", "--etcd-servers", etcd.ServersFlag, "--service-node-port-range", "30000-30039"];
        await using var a = await ServerProcess.StartAsync([.. Flags, .. store]);
        await using var b = await ServerProcess.StartAsync([.. Flags, .. store]);
        IKubernetes[] clients = [new Kubernetes(new KubernetesClientConfiguration { Host = a.Url }), new Kubernetes(new KubernetesClientConfiguration { Host = b.Url })];

        // 40 services for 40 node ports, half through each server at once: every one must get a port of its own.
        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            clients[i % 2].CoreV1.CreateNamespacedServiceAsync(Objects.Service($"svc-{i}", "NodePort"), "default")));

        Assert.Equal(40, created.Select(s => s.Spec.Ports[0].NodePort).Distinct().Count());
        Assert.Equal(40, created.Select(s => s.Spec.ClusterIP).Distinct().Count());
        foreach (var c in clients) c.Dispose();
    }

    private static async Task<HashSet<int>> PortsAsync(IKubernetes client)
    {
        var endpoints = await client.CoreV1.ReadNamespacedEndpointsAsync("kubernetes", "default");
        return (endpoints.Subsets ?? []).SelectMany(s => s.Ports.Select(p => p.Port)).ToHashSet();
    }
}
