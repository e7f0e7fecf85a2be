using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Agent.Runtime;
using Navarch.Cri;
using Navarch.Testing;

namespace Navarch.Agent.Tests.Pods;

/// <summary>One server (no scheduler: tests bind pods themselves) for every test of the class.</summary>
public sealed class AgentServerFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;
    public IKubernetes Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync("--disable-scheduler");
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = Server.Url });
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}

[Trait("Category", "Integration")]
public sealed class AgentIntegrationTests(AgentServerFixture fixture) : IClassFixture<AgentServerFixture>
{
    private IKubernetes Client => fixture.Client;

    private static V1Pod Pod(string name, string node, string? restartPolicy = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default" },
        Spec = new V1PodSpec { NodeName = node, RestartPolicy = restartPolicy, Containers = [new V1Container { Name = "c", Image = "nginx:1.25" }] },
    };

    private async Task<V1Pod?> GetAsync(string name)
    {
        try { return await Client.CoreV1.ReadNamespacedPodAsync(name, "default"); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
    }

    private async Task<V1Pod> WaitRunningAsync(string name)
    {
        V1Pod? pod = null;
        await Poll.UntilAsync($"pod {name} Running with an IP", async () =>
        {
            pod = await GetAsync(name);
            return pod?.Status?.Phase == "Running" && !string.IsNullOrEmpty(pod.Status.PodIP) && pod.Status.ContainerStatuses?.All(c => c.Ready == true) == true;
        }, lastSeen: () => KubernetesJson.Serialize(pod?.Status));
        return pod!;
    }

    [Fact]
    public async Task ABoundPodRunsWithAnIpOfTheNodesSubnet()
    {
        var runtime = new FakeRuntime();
        await using var agent = TestAgent.Start(fixture.Server.Url, "run-node", runtime);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("run-1", "run-node"), "default");
        var pod = await WaitRunningAsync("run-1");

        var node = await Client.CoreV1.ReadNodeAsync("run-node");
        Assert.True(IPNetwork.Parse(node.Spec.PodCIDR).Contains(IPAddress.Parse(pod.Status.PodIP)), $"{pod.Status.PodIP} in {node.Spec.PodCIDR}");
        Assert.Equal("127.0.0.9", pod.Status.HostIP);
        Assert.StartsWith("fake://", pod.Status.ContainerStatuses[0].ContainerID);
        Assert.Equal("True", node.Status.Conditions.Single(c => c.Type == "Ready").Status);
        var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync("run-node", "kube-node-lease");
        Assert.Equal(("run-node", 40), (lease.Spec.HolderIdentity, lease.Spec.LeaseDurationSeconds));
        var events = await Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=run-1");
        Assert.Contains(events.Items, e => e.Reason == "Started" && e.Message == "Started container c");
    }

    [Fact]
    public async Task ADeletedPodIsStoppedThenFinallyDeleted()
    {
        var runtime = new FakeRuntime();
        await using var agent = TestAgent.Start(fixture.Server.Url, "delete-node", runtime);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("del-1", "delete-node"), "default");
        await WaitRunningAsync("del-1");

        var deleting = await Client.CoreV1.DeleteNamespacedPodAsync("del-1", "default");
        await Poll.UntilAsync("pod del-1 gone after the agent's final delete", async () => await GetAsync("del-1") is null);
        Assert.Empty(await runtime.ListSandboxesAsync(null, CancellationToken.None));
        Assert.Contains(runtime.Calls, c => c.Operation == RuntimeOperation.StopContainer);
    }

    /// <summary>
    /// A Ready pod deleted with a grace period keeps running for the agent's endpoint drain (2 s, so that every proxy
    /// drops it first) before its containers get the stop signal; without a grace period it stops at once.
    /// </summary>
    [Fact]
    public async Task AReadyPodDeletedGracefullyDrainsBeforeItsContainersStop()
    {
        var runtime = new FakeRuntime();
        await using var agent = TestAgent.Start(fixture.Server.Url, "drain-node", runtime);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("drain-1", "drain-node"), "default");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("drain-0", "drain-node"), "default");
        await WaitRunningAsync("drain-1");
        await WaitRunningAsync("drain-0");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Client.CoreV1.DeleteNamespacedPodAsync("drain-0", "default", new V1DeleteOptions { GracePeriodSeconds = 0 });
        await Client.CoreV1.DeleteNamespacedPodAsync("drain-1", "default");
        await Poll.UntilAsync("pod drain-0 (no grace period) gone", async () => await GetAsync("drain-0") is null);
        var stopsSoFar = runtime.Calls.Count(c => c.Operation == RuntimeOperation.StopContainer);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5) && stopsSoFar == 1, $"drain-0 stopped after {clock.Elapsed.TotalSeconds:0.0} s; {stopsSoFar} containers stopped");
        await Poll.UntilAsync("pod drain-1 gone after its drain", async () => await GetAsync("drain-1") is null);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        Assert.Equal(2, runtime.Calls.Count(c => c.Operation == RuntimeOperation.StopContainer));
    }

    [Fact]
    public async Task ARestartedAgentAdoptsItsPodsWithoutRestartingThem()
    {
        var runtime = new FakeRuntime();
        string containerId;
        await using (var first = TestAgent.Start(fixture.Server.Url, "adopt-node", runtime))
        {
            await Client.CoreV1.CreateNamespacedPodAsync(Pod("adopt-1", "adopt-node"), "default");
            await Client.CoreV1.CreateNamespacedPodAsync(Pod("adopt-gone", "adopt-node"), "default");
            containerId = (await WaitRunningAsync("adopt-1")).Status.ContainerStatuses[0].ContainerID;
            await WaitRunningAsync("adopt-gone");
        }
        // While no agent runs, one pod is force-deleted: the next agent must remove what is left of it.
        await Client.CoreV1.DeleteNamespacedPodAsync("adopt-gone", "default", new V1DeleteOptions { GracePeriodSeconds = 0 });
        var createsBefore = runtime.Calls.Count(c => c.Operation == RuntimeOperation.CreateContainer);

        await using var second = TestAgent.Start(fixture.Server.Url, "adopt-node", runtime);
        await Poll.UntilAsync("the orphan's sandbox removed", async () =>
            (await runtime.ListSandboxesAsync(null, CancellationToken.None)).All(s => s.Name != "adopt-gone"));
        var pod = await WaitRunningAsync("adopt-1");
        Assert.Equal(containerId, pod.Status.ContainerStatuses[0].ContainerID);
        Assert.Equal(0, pod.Status.ContainerStatuses[0].RestartCount);
        Assert.Equal(createsBefore, runtime.Calls.Count(c => c.Operation == RuntimeOperation.CreateContainer));
        Assert.DoesNotContain(runtime.Calls, c => c.Operation == RuntimeOperation.StopContainer && containerId.EndsWith(c.Target, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACrashingContainerBacksOffWithGrowingDelays()
    {
        var runtime = new FakeRuntime();
        await using var agent = TestAgent.Start(fixture.Server.Url, "crash-node", runtime);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("crash-1", "crash-node"), "default");
        await WaitRunningAsync("crash-1");

        var messages = new List<string>();
        for (var crash = 1; crash <= 3; crash++)
        {
            var running = await RunningContainerAsync(runtime, "crash-1");
            runtime.ExitContainer(running.Id, 1);
            var expectedRestarts = crash;
            V1Pod? pod = null;
            await Poll.UntilAsync($"crash {crash}: restarted (restartCount {expectedRestarts})", async () =>
            {
                pod = await GetAsync("crash-1");
                var status = pod?.Status?.ContainerStatuses?.SingleOrDefault();
                if (status?.State?.Waiting is { Reason: "CrashLoopBackOff" } w && !messages.Contains(w.Message)) messages.Add(w.Message);
                return status?.RestartCount == expectedRestarts && status.State?.Running is not null;
            }, TimeSpan.FromSeconds(15), () => KubernetesJson.Serialize(pod?.Status));
        }
        var uid = (await GetAsync("crash-1"))!.Metadata.Uid;
        Assert.Equal(
        [
            $"back-off 1s restarting failed container=c pod=crash-1_default({uid})",
            $"back-off 2s restarting failed container=c pod=crash-1_default({uid})",
        ], messages);
        var last = (await GetAsync("crash-1"))!.Status.ContainerStatuses[0];
        Assert.Equal(1, last.LastState.Terminated.ExitCode);
        Assert.Equal("Error", last.LastState.Terminated.Reason);
    }

    [Fact]
    public async Task ANeverRestartedFailureFailsThePod()
    {
        var runtime = new FakeRuntime();
        await using var agent = TestAgent.Start(fixture.Server.Url, "never-node", runtime);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("never-1", "never-node", "Never"), "default");
        await WaitRunningAsync("never-1");
        runtime.ExitContainer((await RunningContainerAsync(runtime, "never-1")).Id, 3);
        V1Pod? pod = null;
        await Poll.UntilAsync("pod never-1 Failed", async () => (pod = await GetAsync("never-1"))?.Status?.Phase == "Failed",
            lastSeen: () => KubernetesJson.Serialize(pod?.Status));
        Assert.Equal(3, pod!.Status.ContainerStatuses[0].State.Terminated.ExitCode);
        Assert.Equal(0, pod.Status.ContainerStatuses[0].RestartCount);
    }

    private static async Task<ContainerInfo> RunningContainerAsync(FakeRuntime runtime, string podName)
    {
        ContainerInfo? found = null;
        await Poll.UntilAsync($"a running container of {podName}", async () =>
        {
            var sandboxes = (await runtime.ListSandboxesAsync(null, CancellationToken.None)).Where(s => s.Name == podName).Select(s => s.Id).ToHashSet();
            found = (await runtime.ListContainersAsync(new ContainerFilter { State = ContainerState.Running }, CancellationToken.None))
                .FirstOrDefault(c => sandboxes.Contains(c.SandboxId));
            return found is not null;
        });
        return found!;
    }
}
