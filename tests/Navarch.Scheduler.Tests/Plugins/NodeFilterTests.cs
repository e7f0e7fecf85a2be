using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Plugins.NodePorts;
using Navarch.Scheduler.Plugins.NodeReady;
using Navarch.Scheduler.Plugins.NodeUnschedulable;

namespace Navarch.Scheduler.Tests.Plugins;

[Trait("Category", "Unit")]
public class NodeFilterTests
{
    [Theory]
    [InlineData("ready", true, true)]
    [InlineData("not ready", false, false)]
    public void NodeReady_needs_condition_Ready_True(string name, bool ready, bool fits)
    {
        var node = Build.Info(Build.Node("n", ready: ready));
        var status = new NodeReady().Filter(Build.State(Build.Pod("p"), node), node);
        Assert.True(status.IsSuccess == fits, name);
        if (!fits) Assert.Equal(NodeReady.Reason, status.Reasons.Single());
    }

    [Theory]
    [InlineData("schedulable node", false, false, true)]
    [InlineData("cordoned node", true, false, false)]
    [InlineData("cordoned node, pod tolerates it", true, true, true)]
    public void NodeUnschedulable_keeps_pods_off_cordoned_nodes(string name, bool cordoned, bool tolerates, bool fits)
    {
        var pod = Build.Pod("p");
        if (tolerates) pod.Spec.Tolerations = [new V1Toleration { Key = "node.kubernetes.io/unschedulable", OperatorProperty = "Exists", Effect = "NoSchedule" }];
        var node = Build.Info(Build.Node("n", unschedulable: cordoned));
        Assert.True(new NodeUnschedulable().Filter(Build.State(pod, node), node).IsSuccess == fits, name);
    }

    public static TheoryData<string, V1ContainerPort, V1ContainerPort, bool> PortCases => new()
    {
        { "same port and protocol", new() { ContainerPort = 80, HostPort = 8080 }, new() { ContainerPort = 80, HostPort = 8080 }, false },
        { "other port", new() { ContainerPort = 80, HostPort = 8080 }, new() { ContainerPort = 80, HostPort = 8081 }, true },
        { "other protocol", new() { ContainerPort = 53, HostPort = 53, Protocol = "UDP" }, new() { ContainerPort = 53, HostPort = 53 }, true },
        { "distinct addresses", new() { ContainerPort = 80, HostPort = 80, HostIP = "10.0.0.1" }, new() { ContainerPort = 80, HostPort = 80, HostIP = "10.0.0.2" }, true },
        { "any address overlaps", new() { ContainerPort = 80, HostPort = 80 }, new() { ContainerPort = 80, HostPort = 80, HostIP = "10.0.0.2" }, false },
        { "container port only", new() { ContainerPort = 80 }, new() { ContainerPort = 80 }, true },
    };

    [Theory]
    [MemberData(nameof(PortCases))]
    public void NodePorts_rejects_taken_host_ports(string name, V1ContainerPort used, V1ContainerPort wanted, bool fits)
    {
        var existing = Build.Pod("existing", nodeName: "n");
        existing.Spec.Containers[0].Ports = [used];
        var pod = Build.Pod("p");
        pod.Spec.Containers[0].Ports = [wanted];
        var node = Build.Info(Build.Node("n"), existing);
        var status = new NodePorts().Filter(Build.State(pod, node), node);
        Assert.True(status.IsSuccess == fits, $"{name}: {status}");
        if (!fits) Assert.Equal(StatusCode.Unschedulable, status.Code);
    }

    [Fact]
    public void Removing_a_pod_frees_its_ports_and_requests()
    {
        var existing = Build.Pod("existing", "1", "1Gi", nodeName: "n");
        existing.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = 80, HostPort = 80 }];
        var node = Build.Info(Build.Node("n"), existing);
        Assert.True(node.RemovePod("default/existing"));
        Assert.Empty(node.UsedPorts);
        Assert.Equal(new Resources(0, 0, 0), node.Requested);
    }
}
