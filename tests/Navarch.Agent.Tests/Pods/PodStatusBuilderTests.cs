using k8s.Models;
using Navarch.Agent.Pods;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Pods;

[Trait("Category", "Unit")]
public sealed class PodStatusBuilderTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static V1Pod Pod(string? restartPolicy = null, bool init = false, params string[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "uid-1" },
        Spec = new V1PodSpec
        {
            RestartPolicy = restartPolicy,
            InitContainers = init ? [new V1Container { Name = "setup", Image = "busybox" }] : null,
            Containers = (containers.Length == 0 ? ["c"] : containers).Select(n => new V1Container { Name = n, Image = "nginx" }).ToList(),
        },
        Status = new V1PodStatus { Phase = "Pending" },
    };

    private static ContainerStatus Container(string name, ContainerState state, int attempt = 0, int exitCode = 0, string reason = "") => new()
    {
        Id = $"{name}-{attempt}",
        SandboxId = "s1",
        Name = name,
        Attempt = attempt,
        State = state,
        ImageRef = "sha256:abc",
        StartedAt = Now.AddSeconds(-30),
        FinishedAt = state == ContainerState.Exited ? Now.AddSeconds(-5) : null,
        ExitCode = exitCode,
        Reason = reason,
    };

    private static SandboxStatus Sandbox(SandboxState state = SandboxState.Ready) =>
        new() { Id = "s1", Name = "p", Namespace = "ns", Uid = "uid-1", State = state, Ip = "10.244.1.7" };

    private static V1PodStatus Build(V1Pod pod, IEnumerable<ContainerHistory> containers, Dictionary<string, WaitingReason>? waiting = null,
        SandboxStatus? sandbox = null, bool ready = true) =>
        PodStatusBuilder.Build(pod, new PodStatusInput
        {
            Runtime = new PodRuntimeView(sandbox ?? Sandbox(), containers.ToDictionary(h => h.Latest.Name)),
            Waiting = waiting ?? [],
            IsReady = _ => ready,
            IsStarted = _ => true,
            HostIp = "192.168.0.201",
            RuntimeName = "containerd",
            Now = Now,
        });

    private static string? Condition(V1PodStatus s, string type) => s.Conditions.Single(c => c.Type == type).Status;

    [Fact]
    public void ARunningReadyContainerMakesARunningReadyPod()
    {
        var s = Build(Pod(), [new(Container("c", ContainerState.Running), null)]);
        Assert.Equal("Running", s.Phase);
        Assert.Equal("10.244.1.7", s.PodIP);
        Assert.Equal("192.168.0.201", s.HostIP);
        Assert.Equal(Now, s.StartTime);
        Assert.Equal("BestEffort", s.QosClass);
        var c = Assert.Single(s.ContainerStatuses);
        Assert.True(c.Ready);
        Assert.Equal("containerd://c-0", c.ContainerID);
        Assert.Equal("sha256:abc", c.ImageID);
        Assert.NotNull(c.State.Running);
        Assert.Equal(["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"], s.Conditions.Select(x => x.Type));
        Assert.All(s.Conditions, x => Assert.Equal("True", x.Status));
    }

    [Fact]
    public void AContainerNotYetCreatedIsContainerCreating()
    {
        var s = Build(Pod(), []);
        Assert.Equal("Pending", s.Phase);
        Assert.Equal("ContainerCreating", s.ContainerStatuses[0].State.Waiting.Reason);
        var ready = s.Conditions.Single(c => c.Type == "Ready");
        Assert.Equal(("False", "ContainersNotReady", "containers with unready status: [c]"), (ready.Status, ready.Reason, ready.Message));
    }

    [Fact]
    public void CrashLoopBackOffShowsTheLastExitAndKeepsThePodRunning()
    {
        var waiting = new Dictionary<string, WaitingReason> { ["c"] = new("CrashLoopBackOff", "back-off 20s restarting failed container=c pod=p_ns(uid-1)") };
        var s = Build(Pod(), [new(Container("c", ContainerState.Exited, attempt: 2, exitCode: 1, reason: "Error"), Container("c", ContainerState.Exited, 1, 1))], waiting);
        Assert.Equal("Running", s.Phase);
        var c = s.ContainerStatuses[0];
        Assert.Equal("CrashLoopBackOff", c.State.Waiting.Reason);
        Assert.Equal("back-off 20s restarting failed container=c pod=p_ns(uid-1)", c.State.Waiting.Message);
        Assert.Equal(1, c.LastState.Terminated.ExitCode);
        Assert.Equal("Error", c.LastState.Terminated.Reason);
        Assert.Equal(2, c.RestartCount);
        Assert.False(c.Ready);
    }

    [Theory]
    [InlineData("Never", 1, "Failed", "Error")]
    [InlineData("Never", 0, "Succeeded", "Completed")]
    [InlineData("OnFailure", 0, "Succeeded", "Completed")]
    [InlineData("Always", 0, "Running", "Completed")]
    [InlineData("OnFailure", 1, "Running", "Error")]
    public void PhaseOfExitedContainersFollowsTheRestartPolicy(string policy, int exitCode, string phase, string reason)
    {
        var s = Build(Pod(policy), [new(Container("c", ContainerState.Exited, exitCode: exitCode), null)]);
        Assert.Equal(phase, s.Phase);
        Assert.Equal(reason, s.ContainerStatuses[0].State.Terminated.Reason);
    }

    [Fact]
    public void TerminalPhasesGiveReadyReasonPodCompleted()
    {
        var s = Build(Pod("Never"), [new(Container("c", ContainerState.Exited), null)]);
        Assert.Equal("PodCompleted", s.Conditions.Single(c => c.Type == "Ready").Reason);
    }

    [Fact]
    public void OomKilledIsReportedAsTheRuntimeSaysIt()
    {
        var s = Build(Pod("Never"), [new(Container("c", ContainerState.Exited, exitCode: 137, reason: "OOMKilled"), null)]);
        Assert.Equal("OOMKilled", s.ContainerStatuses[0].State.Terminated.Reason);
        Assert.Equal("Failed", s.Phase);
    }

    [Fact]
    public void PendingInitContainersHoldThePodAndItsAppContainers()
    {
        var s = Build(Pod(init: true), [new(Container("setup", ContainerState.Running), null)]);
        Assert.Equal("Pending", s.Phase);
        Assert.Equal("PodInitializing", s.ContainerStatuses[0].State.Waiting.Reason);
        var initialized = s.Conditions.Single(c => c.Type == "Initialized");
        Assert.Equal(("False", "ContainersNotInitialized", "containers with incomplete status: [setup]"), (initialized.Status, initialized.Reason, initialized.Message));
        Assert.False(s.InitContainerStatuses[0].Ready);
    }

    [Fact]
    public void AFailedInitContainerFailsANeverPod()
    {
        var s = Build(Pod("Never", init: true), [new(Container("setup", ContainerState.Exited, exitCode: 2), null)]);
        Assert.Equal("Failed", s.Phase);
    }

    [Fact]
    public void UnreadyProbesMakeThePodNotReadyButRunning()
    {
        var s = Build(Pod(), [new(Container("c", ContainerState.Running), null)], ready: false);
        Assert.Equal("Running", s.Phase);
        Assert.Equal("False", Condition(s, "Ready"));
        Assert.Equal("False", Condition(s, "ContainersReady"));
    }

    [Fact]
    public void TransitionTimesStayWhileTheStatusStays()
    {
        var pod = Pod();
        var earlier = Now.AddMinutes(-5);
        pod.Status.Conditions = [new V1PodCondition { Type = "Ready", Status = "True", LastTransitionTime = earlier }, new V1PodCondition { Type = "ContainersReady", Status = "False", LastTransitionTime = earlier }];
        var s = Build(pod, [new(Container("c", ContainerState.Running), null)]);
        Assert.Equal(earlier, s.Conditions.Single(c => c.Type == "Ready").LastTransitionTime);
        Assert.Equal(Now, s.Conditions.Single(c => c.Type == "ContainersReady").LastTransitionTime);
    }

    [Fact]
    public void TheSameRuntimeStateGivesAnEqualStatus()
    {
        var pod = Pod();
        var first = Build(pod, [new(Container("c", ContainerState.Running), null)]);
        pod.Status = first;
        var second = Build(pod, [new(Container("c", ContainerState.Running), null)]);
        Assert.True(PodStatusWriter.Same(first, second));
    }

    [Theory]
    [InlineData("100m", "128Mi", "100m", "128Mi", "Guaranteed")]
    [InlineData("100m", null, "200m", null, "Burstable")]
    [InlineData(null, null, null, null, "BestEffort")]
    public void QosClass(string? cpuRequest, string? memRequest, string? cpuLimit, string? memLimit, string expected)
    {
        static Dictionary<string, ResourceQuantity>? List(string? cpu, string? mem)
        {
            var d = new Dictionary<string, ResourceQuantity>();
            if (cpu is not null) d["cpu"] = new ResourceQuantity(cpu);
            if (mem is not null) d["memory"] = new ResourceQuantity(mem);
            return d.Count == 0 ? null : d;
        }
        var spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Resources = new V1ResourceRequirements { Requests = List(cpuRequest, memRequest), Limits = List(cpuLimit, memLimit) } }] };
        Assert.Equal(expected, PodStatusBuilder.QosClass(spec));
    }
}
