using Microsoft.Extensions.Time.Testing;
using Navarch.Agent.Runtime;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Runtime;

[Trait("Category", "Unit")]
public sealed class FakeRuntimeTests
{
    private const string Image = "navarch.test/busybox:1";
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    private FakeRuntime NewRuntime(string? cidr = "10.244.1.0/24") => new(cidr, [Image], _time);

    private static SandboxSpec Pod(string name, int attempt = 0) => new()
    {
        Name = name, Namespace = "default", Uid = "uid-" + name, Attempt = attempt, LogDirectory = "/var/log/pods/" + name,
        Labels = new Dictionary<string, string> { [RuntimeLabels.PodUid] = "uid-" + name },
    };

    private static ContainerSpec Container(string name, string image = Image) => new()
    {
        Name = name, Image = image, LogPath = name + "/0.log",
        Labels = new Dictionary<string, string> { [RuntimeLabels.ContainerName] = name },
    };

    [Fact]
    public async Task Sandboxes_get_ips_of_the_pod_cidr_in_turn_and_give_them_back_on_stop()
    {
        var runtime = NewRuntime();
        var a = await runtime.RunSandboxAsync(Pod("a"), None);
        var b = await runtime.RunSandboxAsync(Pod("b"), None);
        Assert.Equal("10.244.1.2", (await runtime.SandboxStatusAsync(a, None)).Ip);
        Assert.Equal("10.244.1.3", (await runtime.SandboxStatusAsync(b, None)).Ip);

        await runtime.StopSandboxAsync(a, None);
        var stopped = await runtime.SandboxStatusAsync(a, None);
        Assert.Equal(SandboxState.NotReady, stopped.State);
        Assert.Equal("", stopped.Ip);
    }

    [Fact]
    public async Task A_full_pod_cidr_fails_the_sandbox_until_one_stops()
    {
        var runtime = NewRuntime("10.244.9.0/30");
        var only = await runtime.RunSandboxAsync(Pod("a"), None);
        var full = await Assert.ThrowsAsync<RuntimeException>(() => runtime.RunSandboxAsync(Pod("b"), None));
        Assert.Equal(RuntimeErrorCode.Internal, full.Code);

        await runtime.StopSandboxAsync(only, None);
        var next = await runtime.RunSandboxAsync(Pod("b"), None);
        Assert.Equal("10.244.9.2", (await runtime.SandboxStatusAsync(next, None)).Ip);
    }

    [Fact]
    public async Task A_container_runs_at_once_and_reports_times_image_ref_and_log_path()
    {
        var runtime = NewRuntime();
        var pod = Pod("web");
        var sandbox = await runtime.RunSandboxAsync(pod, None);
        var id = await runtime.CreateContainerAsync(sandbox, Container("nginx"), pod, None);
        Assert.Equal(ContainerState.Created, (await runtime.ContainerStatusAsync(id, None)).State);

        _time.Advance(TimeSpan.FromSeconds(1));
        await runtime.StartContainerAsync(id, None);
        var status = await runtime.ContainerStatusAsync(id, None);

        Assert.Equal(ContainerState.Running, status.State);
        Assert.Equal(sandbox, status.SandboxId);
        Assert.Equal(_time.GetUtcNow(), status.StartedAt);
        Assert.Null(status.FinishedAt);
        Assert.StartsWith("sha256:", status.ImageRef);
        Assert.Equal("/var/log/pods/web/nginx/0.log", status.LogPath);
    }

    [Theory]
    [InlineData("graceful stop exits 0", 30, 0, "Completed")]
    [InlineData("no grace period is a SIGKILL", 0, FakeRuntime.KilledExitCode, "Error")]
    public async Task Stopping_a_container_ends_it_with_an_exit_code(string because, int graceSeconds, int exitCode, string reason)
    {
        var (runtime, id) = await RunningContainerAsync();
        await runtime.StopContainerAsync(id, TimeSpan.FromSeconds(graceSeconds), None);
        var status = await runtime.ContainerStatusAsync(id, None);
        Assert.True(status.State == ContainerState.Exited, because);
        Assert.Equal(exitCode, status.ExitCode);
        Assert.Equal(reason, status.Reason);
        Assert.NotNull(status.FinishedAt);
    }

    [Theory]
    [InlineData(0, "Completed")]
    [InlineData(1, "Error")]
    public async Task A_container_told_to_exit_reports_its_exit_code(int exitCode, string reason)
    {
        var (runtime, id) = await RunningContainerAsync();
        runtime.ExitContainer(id, exitCode);
        var status = await runtime.ContainerStatusAsync(id, None);
        Assert.Equal(ContainerState.Exited, status.State);
        Assert.Equal(exitCode, status.ExitCode);
        Assert.Equal(reason, status.Reason);
    }

    [Fact]
    public async Task Listing_by_label_finds_the_objects_of_one_pod_for_adoption()
    {
        var runtime = NewRuntime();
        var a = await runtime.RunSandboxAsync(Pod("a"), None);
        await runtime.RunSandboxAsync(Pod("b"), None);
        var container = await runtime.CreateContainerAsync(a, Container("app") with
        {
            Labels = new Dictionary<string, string> { [RuntimeLabels.PodUid] = "uid-a" },
        }, Pod("a"), None);
        var byPod = new Dictionary<string, string> { [RuntimeLabels.PodUid] = "uid-a" };

        Assert.Equal([a], (await runtime.ListSandboxesAsync(byPod, None)).Select(s => s.Id));
        Assert.Equal(2, (await runtime.ListSandboxesAsync(null, None)).Count);
        Assert.Equal([container], (await runtime.ListContainersAsync(new ContainerFilter { Labels = byPod }, None)).Select(c => c.Id));
        Assert.Empty(await runtime.ListContainersAsync(new ContainerFilter { State = ContainerState.Running }, None));
    }

    [Fact]
    public async Task Removing_a_sandbox_removes_its_containers_and_repeats_succeed()
    {
        var (runtime, id) = await RunningContainerAsync();
        var sandbox = (await runtime.ContainerStatusAsync(id, None)).SandboxId;
        await runtime.RemoveSandboxAsync(sandbox, None);
        await runtime.RemoveSandboxAsync(sandbox, None);
        await runtime.RemoveContainerAsync(id, None);
        await runtime.StopContainerAsync(id, TimeSpan.Zero, None);

        Assert.Empty(await runtime.ListContainersAsync(null, None));
        var error = await Assert.ThrowsAsync<RuntimeException>(() => runtime.ContainerStatusAsync(id, None));
        Assert.Equal(RuntimeErrorCode.NotFound, error.Code);
    }

    [Theory]
    [InlineData("second sandbox with the same attempt", RuntimeErrorCode.AlreadyExists)]
    [InlineData("container of a missing image", RuntimeErrorCode.NotFound)]
    [InlineData("start of a running container", RuntimeErrorCode.FailedPrecondition)]
    [InlineData("sandbox without a pod CIDR", RuntimeErrorCode.FailedPrecondition)]
    [InlineData("exec in an exited container", RuntimeErrorCode.FailedPrecondition)]
    public async Task Misuse_fails_like_a_runtime_would(string misuse, RuntimeErrorCode code)
    {
        var runtime = NewRuntime();
        var (_, running) = await RunningContainerAsync(runtime);
        Func<Task> call = misuse switch
        {
            "second sandbox with the same attempt" => () => runtime.RunSandboxAsync(Pod("p"), None),
            "container of a missing image" => async () =>
            {
                var s = await runtime.RunSandboxAsync(Pod("q"), None);
                await runtime.CreateContainerAsync(s, Container("c", "missing:1"), Pod("q"), None);
            },
            "start of a running container" => () => runtime.StartContainerAsync(running, None),
            "sandbox without a pod CIDR" => () => NewRuntime(cidr: null).RunSandboxAsync(Pod("r"), None),
            "exec in an exited container" => async () =>
            {
                runtime.ExitContainer(running, 0);
                await runtime.ExecSyncAsync(running, ["true"], TimeSpan.Zero, None);
            },
            _ => throw new ArgumentOutOfRangeException(nameof(misuse)),
        };
        var error = await Assert.ThrowsAsync<RuntimeException>(call);
        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task Injected_failures_fail_the_named_call_once_or_always_and_every_call_is_recorded()
    {
        var runtime = NewRuntime();
        runtime.Faults.FailNext(RuntimeOperation.RunPodSandbox, RuntimeErrorCode.Unavailable);
        var once = await Assert.ThrowsAsync<RuntimeException>(() => runtime.RunSandboxAsync(Pod("a"), None));
        Assert.Equal(RuntimeErrorCode.Unavailable, once.Code);
        await runtime.RunSandboxAsync(Pod("a"), None);

        runtime.Faults.FailAlways(RuntimeOperation.Version);
        await Assert.ThrowsAsync<RuntimeException>(() => runtime.VersionAsync(None));
        await Assert.ThrowsAsync<RuntimeException>(() => runtime.VersionAsync(None));
        runtime.Faults.Clear();
        Assert.Equal("fake", (await runtime.VersionAsync(None)).Name);

        Assert.Equal(
            [RuntimeOperation.RunPodSandbox, RuntimeOperation.RunPodSandbox, RuntimeOperation.Version, RuntimeOperation.Version, RuntimeOperation.Version],
            runtime.Calls.Select(c => c.Operation));
    }

    [Fact]
    public async Task Ensure_image_pulls_only_what_is_missing()
    {
        ICriRuntime runtime = NewRuntime();
        var fake = (FakeRuntime)runtime;
        var present = await runtime.EnsureImageAsync("navarch.test/busybox:1", None);
        var pulled = await runtime.EnsureImageAsync("nginx", None);

        Assert.StartsWith("sha256:", present);
        Assert.Equal(pulled, (await runtime.ImageStatusAsync("nginx:latest", None))?.Id);
        Assert.Equal(1, fake.Calls.Count(c => c.Operation == RuntimeOperation.PullImage));

        fake.PullSucceeds = false;
        await Assert.ThrowsAsync<RuntimeException>(() => runtime.EnsureImageAsync("redis", None));
    }

    [Fact]
    public async Task Status_reports_network_ready_once_a_pod_cidr_is_known()
    {
        var runtime = NewRuntime(cidr: null);
        Assert.False((await runtime.StatusAsync(None)).NetworkReady);
        await runtime.UpdatePodCidrAsync("10.244.7.0/24", None);
        var health = await runtime.StatusAsync(None);
        Assert.True(health.RuntimeReady);
        Assert.True(health.NetworkReady);
        var sandbox = await runtime.RunSandboxAsync(Pod("a"), None);
        Assert.Equal("10.244.7.2", (await runtime.SandboxStatusAsync(sandbox, None)).Ip);
    }

    [Fact]
    public async Task Exec_answers_from_the_handler()
    {
        var (runtime, id) = await RunningContainerAsync();
        runtime.ExecHandler = (_, cmd) => new ExecResult(cmd[0] == "false" ? 1 : 0, "hi\n"u8.ToArray(), []);
        Assert.Equal(0, (await runtime.ExecSyncAsync(id, ["echo", "hi"], TimeSpan.FromSeconds(1), None)).ExitCode);
        Assert.Equal(1, (await runtime.ExecSyncAsync(id, ["false"], TimeSpan.FromSeconds(1), None)).ExitCode);
    }

    private async Task<(FakeRuntime Runtime, string ContainerId)> RunningContainerAsync(FakeRuntime? runtime = null)
    {
        runtime ??= NewRuntime();
        var pod = Pod("p");
        var sandbox = await runtime.RunSandboxAsync(pod, None);
        var id = await runtime.CreateContainerAsync(sandbox, Container("c"), pod, None);
        await runtime.StartContainerAsync(id, None);
        return (runtime, id);
    }
}
