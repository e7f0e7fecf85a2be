using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Durability;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;

namespace Navarch.Integration.Tests;

/// <summary>Two API servers on one etcd: either serves every request, and the <c>kubernetes</c> endpoints list the live ones.</summary>
[Trait("Category", "Integration")]
public sealed class MultiServerTests(Xunit.Abstractions.ITestOutputHelper output)
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

    [Fact]
    public async Task When_the_leading_controller_manager_dies_the_standby_takes_over_and_an_rc_converges_without_double_creation()
    {
        await using var etcd = await EtcdCluster.StartAsync();
        string[] flags = ["--storage-backend", "etcd", "--etcd-servers", etcd.ServersFlag, "--master-lease-ttl-seconds", "3", "--service-cluster-ip-range", "10.77.0.0/24"];
        await using var a = await ServerProcess.StartAsync(flags); // with its controller manager and scheduler, elected (on etcd)
        using var viaA = new Kubernetes(new KubernetesClientConfiguration { Host = a.Url });
        var first = await HolderAsync(viaA, "kube-controller-manager", "A's controller manager to take the lease");
        await HolderAsync(viaA, "kube-scheduler", "A's scheduler to take the lease");
        await using var b = await ServerProcess.StartAsync(flags);
        using var viaB = new Kubernetes(new KubernetesClientConfiguration { Host = b.Url });
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        var rc = Objects.Rc("web", labels, labels);
        rc.Spec.Replicas = 2;
        await viaA.CoreV1.CreateNamespacedReplicationControllerAsync(rc, "default");
        var most = 0;
        async Task<int> PodsAsync()
        {
            var n = (await viaB.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=web")).Items.Count;
            most = Math.Max(most, n);
            return n;
        }
        await Poll.UntilAsync("the leader's RC to make 2 pods", async () => await PodsAsync() == 2);

        await a.KillAsync();
        var killed = System.Diagnostics.Stopwatch.StartNew();
        await Poll.UntilAsync("B's controller manager to take the lease", async () => await HolderAsync(viaB, "kube-controller-manager", "") != first,
            TimeSpan.FromSeconds(30));
        var takeover = killed.Elapsed;
        output.WriteLine($"the standby controller manager took the lease {takeover.TotalSeconds:0.0} s after the leader's server was killed");
        var patch = new V1Patch("{\"spec\":{\"replicas\":4}}", V1Patch.PatchType.MergePatch);
        await viaB.CoreV1.PatchNamespacedReplicationControllerAsync(patch, "web", "default");
        await Poll.UntilAsync("the standby's RC to make 4 pods", async () => await PodsAsync() == 4);
        await Poll.UntilAsync("the RC's status to say 4", async () =>
            (await viaB.CoreV1.ReadNamespacedReplicationControllerAsync("web", "default")).Status?.Replicas == 4);

        Assert.Equal(4, await PodsAsync());
        Assert.True(most <= 4, $"{most} pods existed at once for 4 replicas");
        // The issue: "a standby takes over within 15 s of the leader's death" (the defaults' worst case is 13.6 s).
        Assert.True(takeover <= TimeSpan.FromSeconds(15), $"the standby took over {takeover.TotalSeconds:0.0} s after the kill");
    }

    private static async Task<string> HolderAsync(IKubernetes client, string lease, string phase)
    {
        string? holder = null;
        if (phase.Length > 0)
        {
            await Poll.UntilAsync(phase, async () => (holder = await TryHolderAsync(client, lease)) is not null, TimeSpan.FromSeconds(30));
            return holder!;
        }
        return await TryHolderAsync(client, lease) ?? "";
    }

    private static async Task<string?> TryHolderAsync(IKubernetes client, string lease)
    {
        try
        {
            return (await client.CoordinationV1.ReadNamespacedLeaseAsync(lease, "kube-system")).Spec?.HolderIdentity;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<HashSet<int>> PortsAsync(IKubernetes client)
    {
        var endpoints = await client.CoreV1.ReadNamespacedEndpointsAsync("kubernetes", "default");
        return (endpoints.Subsets ?? []).SelectMany(s => s.Ports.Select(p => p.Port)).ToHashSet();
    }
}
