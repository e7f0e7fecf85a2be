using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.ReplicationManager;

[Trait("Category", "Integration")]
[Collection(ControlLoopClusterCollection.Name)]
public sealed partial class ReplicationManagerTests(ControlLoopCluster cluster)
{
    private IKubernetes Client => cluster.Client;

    [Fact]
    public async Task The_seed_rc_yields_two_pods_with_its_labels_and_owner_reference()
    {
        var ns = await cluster.NamespaceAsync("rc-seed");
        var rc = await cluster.CreateSeedRcAsync(ns);
        await cluster.WaitForOwnedPodsAsync("two pods of the seed RC", ns, rc.Metadata.Uid, 2);

        foreach (var pod in await cluster.ActivePodsAsync(ns))
        {
            Assert.Matches("^nginx-controller-[a-z0-9]{5}$", pod.Metadata.Name);
            Assert.Equal("nginx", pod.Metadata.Labels["name"]);
            var owner = Assert.Single(pod.Metadata.OwnerReferences);
            Assert.Equal(("v1", "ReplicationController", "nginx-controller", rc.Metadata.Uid, true, true),
                (owner.ApiVersion, owner.Kind, owner.Name, owner.Uid, owner.Controller, owner.BlockOwnerDeletion));
        }

        await Poll.UntilAsync("SuccessfulCreate events naming the pods", async () =>
        {
            var events = (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items
                .Where(e => e.InvolvedObject.Uid == rc.Metadata.Uid && e.Reason == "SuccessfulCreate").ToList();
            return events.Count == 2 && events.All(e => CreatedPod().IsMatch(e.Message) && e.Type == "Normal");
        });
        await Poll.UntilAsync("status.replicas = 2 and observedGeneration", async () =>
        {
            var current = await Client.CoreV1.ReadNamespacedReplicationControllerAsync("nginx-controller", ns);
            return current.Status?.Replicas == 2 && current.Status.FullyLabeledReplicas == 2 && current.Status.ObservedGeneration == current.Metadata.Generation;
        });
    }

    [Fact]
    public async Task Kubectl_scale_2_to_5_to_1_never_overshoots()
    {
        var ns = await cluster.NamespaceAsync("rc-scale");
        var rc = await cluster.CreateSeedRcAsync(ns);
        await cluster.WaitForOwnedPodsAsync("two pods before scaling", ns, rc.Metadata.Uid, 2);
        using var kubectl = new Kubectl(cluster.Server.Url);
        await using var monitor = await PodCountMonitor.StartAsync(Client, ns, rc.Metadata.Uid);

        var up = await kubectl.RunAsync("scale", "rc", "nginx-controller", "--replicas=5", "-n", ns);
        Assert.True(up.ExitCode == 0, up.ToString());
        await cluster.WaitForOwnedPodsAsync("five pods after scaling up", ns, rc.Metadata.Uid, 5);
        await Poll.UntilAsync("the watch to see five pods", () => monitor.History is [.., 5]);
        var afterUp = monitor.History.Count;

        var down = await kubectl.RunAsync("scale", "rc", "nginx-controller", "--replicas=1", "-n", ns);
        Assert.True(down.ExitCode == 0, down.ToString());
        await cluster.WaitForOwnedPodsAsync("one pod after scaling down", ns, rc.Metadata.Uid, 1);
        await Poll.UntilAsync("status.replicas = 1", async () =>
            (await Client.CoreV1.ReadNamespacedReplicationControllerAsync("nginx-controller", ns)).Status?.Replicas == 1);

        var history = monitor.History;
        Assert.True(history.Max() <= 5, $"more than 5 pods at some point: {string.Join(",", history)}");
        // Scaling down only deletes: the count never rises again, and nothing was re-created after it.
        var downward = history.Skip(afterUp).ToList();
        Assert.True(downward.Zip(downward.Skip(1)).All(p => p.Second <= p.First), $"pods re-created while scaling down: {string.Join(",", history)}");
        Assert.Single(await cluster.ActivePodsAsync(ns));
    }

    [Fact]
    public async Task A_deleted_pod_is_replaced()
    {
        var ns = await cluster.NamespaceAsync("rc-replace");
        var rc = await cluster.CreateSeedRcAsync(ns);
        await cluster.WaitForOwnedPodsAsync("two pods", ns, rc.Metadata.Uid, 2);
        var victim = (await cluster.ActivePodsAsync(ns))[0].Metadata.Name;

        await Client.CoreV1.DeleteNamespacedPodAsync(victim, ns);

        await Poll.UntilAsync("a replacement pod", async () =>
        {
            var pods = await cluster.ActivePodsAsync(ns);
            return pods.Count == 2 && pods.All(p => p.Metadata.Name != victim);
        });
    }

    [Fact]
    public async Task A_relabelled_pod_is_released_and_replaced()
    {
        var ns = await cluster.NamespaceAsync("rc-relabel");
        var rc = await cluster.CreateSeedRcAsync(ns);
        await cluster.WaitForOwnedPodsAsync("two pods", ns, rc.Metadata.Uid, 2);
        var pod = (await cluster.ActivePodsAsync(ns))[0].Metadata.Name;

        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"name":"debug"}}}""", V1Patch.PatchType.MergePatch), pod, ns);

        await Poll.UntilAsync("the relabelled pod released (no owner reference)", async () =>
            (await Client.CoreV1.ReadNamespacedPodAsync(pod, ns)).Metadata.OwnerReferences is null or { Count: 0 });
        await cluster.WaitForOwnedPodsAsync("a replacement: two owned pods again", ns, rc.Metadata.Uid, 2);
        Assert.Equal(3, (await cluster.ActivePodsAsync(ns)).Count);
    }

    [Fact]
    public async Task An_orphan_that_matches_is_adopted()
    {
        var ns = await cluster.NamespaceAsync("rc-adopt");
        var orphan = await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "stray", Labels = new Dictionary<string, string> { ["name"] = "nginx" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = "nginx" }] },
        }, ns);
        var rc = await cluster.CreateSeedRcAsync(ns);

        await cluster.WaitForOwnedPodsAsync("the orphan adopted plus one new pod", ns, rc.Metadata.Uid, 2);
        var adopted = await Client.CoreV1.ReadNamespacedPodAsync("stray", ns);
        Assert.Equal(orphan.Metadata.Uid, adopted.Metadata.Uid);
        Assert.Equal(rc.Metadata.Uid, Assert.Single(adopted.Metadata.OwnerReferences).Uid);
    }

    [Fact]
    public async Task Status_follows_pods_marked_ready()
    {
        var ns = await cluster.NamespaceAsync("rc-ready");
        var rc = await cluster.CreateSeedRcAsync(ns);
        await cluster.WaitForOwnedPodsAsync("two pods", ns, rc.Metadata.Uid, 2);

        foreach (var pod in await cluster.ActivePodsAsync(ns))
        {
            pod.Status ??= new V1PodStatus();
            pod.Status.Phase = "Running";
            pod.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = DateTime.UtcNow }];
            await Client.CoreV1.ReplaceNamespacedPodStatusAsync(pod, pod.Metadata.Name, ns);
        }

        V1ReplicationControllerStatus? last = null;
        await Poll.UntilAsync("readyReplicas = availableReplicas = 2", async () =>
        {
            last = (await Client.CoreV1.ReadNamespacedReplicationControllerAsync("nginx-controller", ns)).Status;
            return last is { Replicas: 2, ReadyReplicas: 2, AvailableReplicas: 2 };
        }, lastSeen: () => KubernetesJson.Serialize(last));
    }

    [GeneratedRegex("^Created pod: nginx-controller-[a-z0-9]{5}$")]
    private static partial Regex CreatedPod();
}
