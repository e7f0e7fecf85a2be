using k8s;
using k8s.Models;
using Navarch.Controllers.Tests.ReplicationManager;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.GarbageCollector;

[Trait("Category", "Integration")]
[Collection(ControlLoopClusterCollection.Name)]
public sealed class GarbageCollectorTests(ControlLoopCluster cluster)
{
    private IKubernetes Client => cluster.Client;

    [Fact]
    public async Task Kubectl_delete_rc_takes_its_pods_with_it()
    {
        var ns = await cluster.NamespaceAsync("gc-background");
        var rc = await cluster.CreateSeedRcAsync(ns);
        await cluster.WaitForOwnedPodsAsync("two pods", ns, rc.Metadata.Uid, 2);
        using var kubectl = new Kubectl(cluster.Server.Url);

        var result = await kubectl.RunAsync("delete", "rc", "nginx-controller", "-n", ns);
        Assert.True(result.ExitCode == 0, result.ToString());

        await Poll.UntilAsync("the RC's pods deleted by the garbage collector", async () =>
            (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count == 0);
    }

    [Fact]
    public async Task Cascade_orphan_leaves_the_pods_without_owner_references()
    {
        var ns = await cluster.NamespaceAsync("gc-orphan");
        var rc = await cluster.CreateSeedRcAsync(ns);
        await cluster.WaitForOwnedPodsAsync("two pods", ns, rc.Metadata.Uid, 2);
        using var kubectl = new Kubectl(cluster.Server.Url);

        var result = await kubectl.RunAsync("delete", "rc", "nginx-controller", "--cascade=orphan", "-n", ns);
        Assert.True(result.ExitCode == 0, result.ToString());

        await Poll.UntilAsync("the RC gone (orphan finalizer removed)", async () =>
            (await Client.CoreV1.ListNamespacedReplicationControllerAsync(ns)).Items.Count == 0);
        var pods = await cluster.ActivePodsAsync(ns);
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.True(p.Metadata.OwnerReferences is null or { Count: 0 }, p.Metadata.Name));
    }

    [Fact]
    public async Task Foreground_deletion_removes_the_pods_before_the_rc()
    {
        var ns = await cluster.NamespaceAsync("gc-foreground");
        var rc = await cluster.CreateSeedRcAsync(ns);
        await cluster.WaitForOwnedPodsAsync("two pods", ns, rc.Metadata.Uid, 2);

        var waiting = await Client.CoreV1.DeleteNamespacedReplicationControllerAsync("nginx-controller", ns,
            new V1DeleteOptions { PropagationPolicy = "Foreground" });
        Assert.NotNull(waiting);

        await Poll.UntilAsync("the RC gone after its pods", async () =>
            (await Client.CoreV1.ListNamespacedReplicationControllerAsync(ns)).Items.Count == 0);
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync(ns)).Items);
    }

    [Fact]
    public async Task An_object_whose_owner_never_existed_is_collected_and_one_with_a_live_owner_stays()
    {
        var ns = await cluster.NamespaceAsync("gc-dangling");
        var owner = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "owner" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] },
        }, ns);
        V1Endpoints Dependent(string name, string ownerName, string uid) => new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Service", Name = ownerName, Uid = uid }],
            },
        };
        await Client.CoreV1.CreateNamespacedEndpointsAsync(Dependent("kept", "owner", owner.Metadata.Uid), ns);
        await Client.CoreV1.CreateNamespacedEndpointsAsync(Dependent("dangling", "ghost", "00000000-0000-0000-0000-000000000000"), ns);

        await Poll.UntilAsync("the endpoints with a missing owner collected", async () =>
            (await Client.CoreV1.ListNamespacedEndpointsAsync(ns)).Items.All(e => e.Metadata.Name != "dangling"));
        Assert.Contains((await Client.CoreV1.ListNamespacedEndpointsAsync(ns)).Items, e => e.Metadata.Name == "kept");
    }
}
