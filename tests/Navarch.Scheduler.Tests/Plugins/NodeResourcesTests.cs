using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.NodeResourcesFit;

namespace Navarch.Scheduler.Tests.Plugins;

[Trait("Category", "Unit")]
public class NodeResourcesTests
{
    public static TheoryData<string, string?, string?, string, string[], StatusCode> FitCases => new()
    {
        { "fits an empty node", "1", "1Gi", "110", [], StatusCode.Success },
        { "no requests fit anywhere there is room for a pod", null, null, "110", [], StatusCode.Success },
        { "cpu beyond what is left", "3500m", "1Gi", "110", [NodeResourcesFit.InsufficientCpu], StatusCode.Unschedulable },
        { "cpu and memory beyond what is left", "3500m", "15Gi", "110", [NodeResourcesFit.InsufficientCpu, NodeResourcesFit.InsufficientMemory], StatusCode.Unschedulable },
        { "more than the whole node", "8", null, "110", [NodeResourcesFit.InsufficientCpu], StatusCode.UnschedulableAndUnresolvable },
        { "pod count full", null, null, "1", [NodeResourcesFit.TooManyPods], StatusCode.Unschedulable },
    };

    [Theory]
    [MemberData(nameof(FitCases))]
    public void Filter_counts_what_pods_on_the_node_request(string name, string? cpu, string? memory, string maxPods, string[] reasons, StatusCode code)
    {
        // The node (4 cpu, 16Gi) already runs a pod requesting 1 cpu and 2Gi.
        var node = Build.Info(Build.Node("n", pods: maxPods), Build.Pod("existing", "1", "2Gi", nodeName: "n"));
        var status = new NodeResourcesFit().Filter(Build.State(Build.Pod("p", cpu, memory), node), node);
        Assert.True(code == status.Code, $"{name}: {status}");
        Assert.Equal(reasons, status.Reasons);
    }

    [Fact]
    public void Requests_take_the_larger_of_containers_and_init_containers()
    {
        var pod = Build.Pod("p", "500m", "1Gi");
        pod.Spec.Containers.Add(new V1Container { Name = "b", Resources = Build.Requests("500m", "1Gi") });
        pod.Spec.InitContainers = [new V1Container { Name = "init", Resources = Build.Requests("2", "512Mi") }];
        Assert.Equal(new Resources(2000, 2L << 30, 1), PodRequests.Of(pod.Spec, nonZero: false));
    }

    [Fact]
    public void Sidecar_init_containers_add_to_the_containers()
    {
        var pod = Build.Pod("p", "500m", "1Gi");
        pod.Spec.InitContainers = [new V1Container { Name = "sidecar", RestartPolicy = "Always", Resources = Build.Requests("250m", "256Mi") }];
        Assert.Equal(new Resources(750, (1L << 30) + (256L << 20), 1), PodRequests.Of(pod.Spec, nonZero: false));
    }

    [Fact]
    public void Containers_without_requests_count_defaults_only_for_scoring()
    {
        var pod = Build.Pod("p");
        Assert.Equal(new Resources(0, 0, 1), PodRequests.Of(pod.Spec, nonZero: false));
        Assert.Equal(new Resources(Resources.DefaultMilliCpuRequest, Resources.DefaultMemoryRequest, 1), PodRequests.Of(pod.Spec, nonZero: true));
    }

    [Fact]
    public void LeastAllocated_prefers_the_emptier_node()
    {
        var busy = Build.Info(Build.Node("busy"), Build.Pod("a", "2", "8Gi", nodeName: "busy"));
        var idle = Build.Info(Build.Node("idle"));
        var state = Build.State(Build.Pod("p", "1", "4Gi"), busy, idle);
        var plugin = new LeastAllocated();
        // busy: cpu (4-3)/4 = 25, memory (16-12)/16 = 25; idle: 75 and 75.
        Assert.Equal(25, plugin.Score(state, busy));
        Assert.Equal(75, plugin.Score(state, idle));
    }
}
