using Navarch.Api.Selectors;
using Navarch.Scheduler.Cache;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins;

namespace Navarch.Scheduler.Tests.Framework;

[Trait("Category", "Unit")]
public class SchedulingCycleTests
{
    private static readonly Dictionary<string, string> Nginx = new() { ["name"] = "nginx" };

    [Fact]
    public void The_seeds_two_pods_go_to_two_different_nodes()
    {
        // Repeat: ties are broken at random, spreading must win every time.
        for (var seed = 0; seed < 50; seed++)
        {
            var cache = new SchedulerCache();
            cache.AddOrUpdateNode(Build.Node("node-1"));
            cache.AddOrUpdateNode(Build.Node("node-2"));
            var snapshot = new StaticSnapshot(cache.Nodes, [LabelSelector.FromSet(Nginx)]);
            var cycle = new SchedulingCycle(DefaultProfile.Create(), new Random(seed));
            var placed = new List<string>();
            foreach (var name in new[] { "nginx-controller-a", "nginx-controller-b" })
            {
                var pod = new PodInfo(Build.Pod(name, labels: Nginx));
                var result = cycle.Schedule(pod, snapshot);
                Assert.True(result.Succeeded, result.FailureMessage);
                cache.Assume(pod, result.NodeName!);
                placed.Add(result.NodeName!);
            }
            Assert.NotEqual(placed[0], placed[1]);
        }
    }

    [Fact]
    public void Pods_of_a_controller_spread_evenly()
    {
        var cache = new SchedulerCache();
        for (var i = 0; i < 4; i++) cache.AddOrUpdateNode(Build.Node($"n{i}"));
        var snapshot = new StaticSnapshot(cache.Nodes, [LabelSelector.FromSet(Nginx)]);
        var cycle = new SchedulingCycle(DefaultProfile.Create(), new Random(1));
        for (var i = 0; i < 8; i++)
        {
            var pod = new PodInfo(Build.Pod($"p{i}", labels: Nginx));
            cache.Assume(pod, cycle.Schedule(pod, snapshot).NodeName!);
        }
        Assert.All(cache.Nodes, n => Assert.Equal(2, n.Pods.Count));
    }

    [Fact]
    public void Unschedulable_reasons_are_counted_per_node_as_upstream_prints_them()
    {
        var nodes = new[]
        {
            Build.Info(Build.Node("node-1", ready: false, taints: [Build.Taint("node.kubernetes.io/unreachable", "", "NoExecute")])),
            Build.Info(Build.Node("node-2", cpu: "1")),
            Build.Info(Build.Node("node-3", cpu: "1")),
        };
        var result = new SchedulingCycle(DefaultProfile.Create()).Schedule(new PodInfo(Build.Pod("p", cpu: "2")), new StaticSnapshot(nodes));
        Assert.False(result.Succeeded);
        Assert.Equal(
            "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. " +
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            result.FailureMessage);
    }

    [Fact]
    public void Insufficient_resources_that_evictions_could_free_say_no_victims()
    {
        var full = Build.Info(Build.Node("n1", cpu: "1", memory: "1Gi"), Build.Pod("big", "1", "1Gi", nodeName: "n1"));
        var notReady = Build.Info(Build.Node("n2", ready: false));
        var result = new SchedulingCycle(DefaultProfile.Create()).Schedule(new PodInfo(Build.Pod("p", "500m", "512Mi")), new StaticSnapshot([full, notReady]));
        Assert.Equal(
            "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were not ready. " +
            "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
            result.FailureMessage);
    }

    [Fact]
    public void No_nodes_at_all_is_upstreams_error()
    {
        var result = new SchedulingCycle(DefaultProfile.Create()).Schedule(new PodInfo(Build.Pod("p")), new StaticSnapshot([]));
        Assert.Equal("no nodes available to schedule pods", result.FailureMessage);
    }

    [Fact]
    public void Assumed_pods_keep_a_burst_from_overcommitting_a_node()
    {
        var cache = new SchedulerCache();
        cache.AddOrUpdateNode(Build.Node("only", cpu: "1"));
        var cycle = new SchedulingCycle(DefaultProfile.Create());
        var results = Enumerable.Range(0, 3).Select(i =>
        {
            var pod = new PodInfo(Build.Pod($"p{i}", cpu: "400m"));
            var r = cycle.Schedule(pod, new StaticSnapshot(cache.Nodes));
            if (r.Succeeded) cache.Assume(pod, r.NodeName!);
            return r.Succeeded;
        }).ToList();
        Assert.Equal([true, true, false], results);
    }

    [Fact]
    public void Forgetting_an_assumed_pod_frees_its_room_but_a_confirmed_pod_stays()
    {
        var cache = new SchedulerCache();
        cache.AddOrUpdateNode(Build.Node("n", cpu: "1"));
        var pod = Build.Pod("p", cpu: "1");
        cache.Assume(new PodInfo(pod), "n");
        cache.Forget("default/p");
        Assert.Null(cache.Placement("default/p"));

        cache.Assume(new PodInfo(pod), "n");
        pod.Spec.NodeName = "n";
        cache.AddOrUpdatePod(pod);
        cache.Forget("default/p");
        Assert.Equal(("n", false), cache.Placement("default/p"));
        Assert.Equal(1000, cache.Nodes[0].Requested.MilliCpu);
    }

    [Fact]
    public void Taints_and_tolerations_decide_between_nodes()
    {
        var nodes = new[]
        {
            Build.Info(Build.Node("gpu", taints: [Build.Taint("dedicated", "gpu", "NoSchedule")])),
            Build.Info(Build.Node("soft", taints: [Build.Taint("spot", "", "PreferNoSchedule")])),
            Build.Info(Build.Node("plain")),
        };
        var cycle = new SchedulingCycle(DefaultProfile.Create());
        for (var i = 0; i < 20; i++)
            Assert.Equal("plain", cycle.Schedule(new PodInfo(Build.Pod($"p{i}")), new StaticSnapshot(nodes)).NodeName);

        var tolerant = Build.Pod("t");
        tolerant.Spec.NodeSelector = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "gpu" };
        tolerant.Spec.Tolerations = [new k8s.Models.V1Toleration { Key = "dedicated", Value = "gpu", Effect = "NoSchedule" }];
        Assert.Equal("gpu", cycle.Schedule(new PodInfo(tolerant), new StaticSnapshot(nodes)).NodeName);
    }

    [Theory]
    [InlineData(50, 50)]
    [InlineData(100, 100)]
    [InlineData(1000, 420)]
    [InlineData(5000, 500)]
    [InlineData(10000, 500)]
    [InlineData(1500, 570)]
    public void Sampling_finds_fewer_nodes_in_big_clusters(int nodes, int wanted)
    {
        Assert.Equal(wanted, NodeSampling.FeasibleNodesToFind(nodes));
    }

    [Fact]
    public void A_sampled_cycle_stops_early_and_the_next_starts_where_it_stopped()
    {
        var nodes = Enumerable.Range(0, 1000).Select(i => Build.Info(Build.Node($"n{i}"))).ToArray();
        var cycle = new SchedulingCycle(DefaultProfile.Create());
        var first = cycle.Schedule(new PodInfo(Build.Pod("a")), new StaticSnapshot(nodes));
        var second = cycle.Schedule(new PodInfo(Build.Pod("b")), new StaticSnapshot(nodes));
        Assert.Equal(420, first.EvaluatedNodes);
        Assert.Equal(420, second.FeasibleNodes);
        var firstIndex = int.Parse(first.NodeName![1..]);
        var secondIndex = int.Parse(second.NodeName![1..]);
        Assert.InRange(firstIndex, 0, 419);
        Assert.InRange(secondIndex, 420, 839);
    }
}
