using k8s.Models;
using Navarch.Agent.Node;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Node;

[Trait("Category", "Unit")]
public sealed class NodeStatusTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly MachineInfo Machine = new()
    {
        Cpus = 4, MemoryKi = 8_000_000, EphemeralStorageKi = 100_000_000,
        MachineId = "m-1", BootId = "b-1", KernelVersion = "6.18.0", OsImage = "Debian GNU/Linux 12 (bookworm)",
    };

    private static RuntimeHealth Health(bool runtime, bool network) => new(
    [
        new RuntimeCondition(RuntimeHealth.RuntimeReadyCondition, runtime, runtime ? "" : "Down", ""),
        new RuntimeCondition(RuntimeHealth.NetworkReadyCondition, network, network ? "" : "NetworkPluginNotReady", network ? "" : "cni plugin not initialized"),
    ]);

    private static NodeStatusInput Input(RuntimeHealth? health, V1NodeStatus? previous = null, DateTime? now = null) => new()
    {
        NodeName = "n1", NodeIp = "192.168.0.201", Machine = Machine, Port = 10250,
        Runtime = new RuntimeVersion("containerd", "1.6.20", "v1"), Health = health, Previous = previous, Now = now ?? Now,
    };

    [Fact]
    public void StatusCarriesCapacityAddressesAndNodeInfo()
    {
        var s = NodeStatusBuilder.Build(Input(Health(true, true)));
        Assert.Equal("4", s.Capacity["cpu"].ToString());
        Assert.Equal("8000000Ki", s.Capacity["memory"].ToString());
        Assert.Equal("110", s.Allocatable["pods"].ToString());
        Assert.Equal([("InternalIP", "192.168.0.201"), ("Hostname", "n1")], s.Addresses.Select(a => (a.Type, a.Address)));
        Assert.Equal("containerd://1.6.20", s.NodeInfo.ContainerRuntimeVersion);
        Assert.Equal(("v1.32.0", "linux", "6.18.0", "m-1"), (s.NodeInfo.KubeletVersion, s.NodeInfo.OperatingSystem, s.NodeInfo.KernelVersion, s.NodeInfo.MachineID));
        Assert.Equal(10250, s.DaemonEndpoints.KubeletEndpoint.Port);
        Assert.Equal(["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"], s.Conditions.Select(c => c.Type));
    }

    [Theory]
    [InlineData(true, true, "True", "KubeletReady", "kubelet is posting ready status")]
    [InlineData(true, false, "False", "KubeletNotReady", "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized")]
    [InlineData(false, true, "False", "KubeletNotReady", "container runtime not ready: RuntimeReady=false reason:Down message:")]
    public void ReadyFollowsTheRuntime(bool runtime, bool network, string status, string reason, string message)
    {
        var ready = NodeStatusBuilder.Build(Input(Health(runtime, network))).Conditions.Single(c => c.Type == "Ready");
        Assert.Equal((status, reason, message), (ready.Status, ready.Reason, ready.Message));
    }

    [Fact]
    public void NoHealthYetIsNotReady()
    {
        var ready = NodeStatusBuilder.Build(Input(null)).Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "container runtime status check may not have completed yet"), (ready.Status, ready.Message));
    }

    [Fact]
    public void HeartbeatsAloneAreNoChangeButATransitionIs()
    {
        var first = NodeStatusBuilder.Build(Input(Health(true, true)));
        var later = NodeStatusBuilder.Build(Input(Health(true, true), first, Now.AddSeconds(10)));
        Assert.True(NodeStatusBuilder.SameIgnoringHeartbeats(first, later));
        Assert.Equal(Now, later.Conditions.Single(c => c.Type == "Ready").LastTransitionTime);
        Assert.Equal(Now.AddSeconds(10), later.Conditions.Single(c => c.Type == "Ready").LastHeartbeatTime);
        var down = NodeStatusBuilder.Build(Input(Health(true, false), later, Now.AddSeconds(20)));
        Assert.False(NodeStatusBuilder.SameIgnoringHeartbeats(later, down));
        Assert.Equal(Now.AddSeconds(20), down.Conditions.Single(c => c.Type == "Ready").LastTransitionTime);
    }

    [Fact]
    public void TheNewNodeHasTheWellKnownLabels()
    {
        var node = NodeStatusBuilder.NewNode("n1", "10.244.3.0/24");
        Assert.Equal("n1", node.Metadata.Labels["kubernetes.io/hostname"]);
        Assert.Equal("linux", node.Metadata.Labels["kubernetes.io/os"]);
        Assert.Equal("10.244.3.0/24", node.Spec.PodCIDR);
    }

    [Fact]
    public void MachineFactsAreReadFromTheirFiles()
    {
        var root = Directory.CreateTempSubdirectory("navarch-machine-").FullName;
        try
        {
            void Write(string path, string text)
            {
                var full = Path.Combine(root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
            }
            Write("proc/meminfo", "MemTotal:       24684084 kB\nMemFree:         1000 kB\n");
            Write("etc/machine-id", "abc123\n");
            Write("proc/sys/kernel/osrelease", "6.18.44\n");
            Write("proc/sys/kernel/random/boot_id", "boot-1\n");
            Write("etc/os-release", "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
            var m = MachineInfo.Read(root, root, cpus: 2);
            Assert.Equal((2, 24684084L, "abc123", "6.18.44", "boot-1", "Debian GNU/Linux 12 (bookworm)"), (m.Cpus, m.MemoryKi, m.MachineId, m.KernelVersion, m.BootId, m.OsImage));
            Assert.True(m.EphemeralStorageKi > 0);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void HeartbeatScheduleHandsOutDueBeatsAndJittersTheNext()
    {
        var schedule = new HeartbeatSchedule(new Random(1));
        var t0 = new DateTimeOffset(Now);
        var a = new HeartbeatSchedule.Beat("a", TimeSpan.FromSeconds(10), _ => Task.CompletedTask);
        var b = new HeartbeatSchedule.Beat("b", TimeSpan.FromSeconds(10), _ => Task.CompletedTask);
        schedule.Add(a, t0);
        schedule.Add(b, t0.AddSeconds(5));
        Assert.Equal([a], schedule.TakeDue(t0));
        var next = schedule.Reschedule(a, t0);
        Assert.InRange(next - t0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10.4));
        b.Dispose();
        Assert.Empty(schedule.TakeDue(t0.AddSeconds(6)));
        Assert.Equal([a], schedule.TakeDue(t0.AddSeconds(11)));
    }
}
