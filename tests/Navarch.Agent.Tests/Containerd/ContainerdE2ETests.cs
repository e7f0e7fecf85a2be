using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Agent.Containerd;
using Navarch.Cri;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Agent.Tests.Containerd;

/// <summary>
/// A real containerd (Debian's 1.6, runc, CNI bridge) supervised in a network namespace of the test's own,
/// driven through <see cref="CriRuntime"/>. Everything is removed afterwards, also on failure; the main
/// test asserts that nothing is left.
/// </summary>
[Trait("Category", "E2E")]
[Collection(Navarch.Agent.Tests.E2E.E2ECollection.Name)]
public sealed class ContainerdE2ETests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string PauseImage = "navarch.test/pause:1";
    private const string BusyboxImage = "navarch.test/busybox:1";
    private const string Subnet = "10.250.0.0/24";
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly string _dataDir = Path.Combine("/tmp", "nvc-" + Guid.NewGuid().ToString("N")[..8]);
    private NetNs? _netns;
    private ContainerdSupervisor? _containerd;
    private CriRuntime? _cri;

    private string CgroupParent => "/navarch-test-" + _id;
    private string NetworkName => "nvt-" + _id;

    public async Task InitializeAsync()
    {
        _netns = await NetNs.CreateAsync("nvt");
        Directory.CreateDirectory(_dataDir);
    }

    [Fact]
    public async Task Runs_a_pod_through_cri_in_a_supervised_containerd_and_leaves_nothing_behind()
    {
        var clock = Stopwatch.StartNew();
        var (containerd, cri) = await StartContainerdAsync();
        var startMs = clock.ElapsedMilliseconds;

        var version = await cri.VersionAsync(None);
        Assert.Equal("containerd", version.Name);
        var health = await cri.StatusAsync(None);
        Assert.True(health.RuntimeReady);
        Assert.True(health.NetworkReady, "the conflist was written before the start, so CNI is ready");

        clock.Restart();
        await ImportImagesAsync(containerd);
        var importMs = clock.ElapsedMilliseconds;
        Assert.NotNull(await ((ICriRuntime)cri).ImageStatusAsync(BusyboxImage, None));
        Assert.Null(await cri.ImageStatusAsync("navarch.test/missing:1", None));

        var pod = new SandboxSpec
        {
            Name = "web", Namespace = "default", Uid = "uid-" + _id, Hostname = "web",
            LogDirectory = Path.Combine(_dataDir, "pods", "uid-" + _id), CgroupParent = CgroupParent,
            Dns = new DnsSpec(["10.250.0.10"], ["default.svc.cluster.local"], ["ndots:5"]),
            Labels = new Dictionary<string, string> { [RuntimeLabels.PodUid] = "uid-" + _id, [RuntimeLabels.ManagedBy] = RuntimeLabels.ManagedByAgent },
        };
        clock.Restart();
        var sandboxId = await cri.RunSandboxAsync(pod, None);
        var sandboxMs = clock.ElapsedMilliseconds;
        var sandbox = await cri.SandboxStatusAsync(sandboxId, None);
        Assert.Equal(SandboxState.Ready, sandbox.State);
        Assert.StartsWith("10.250.0.", sandbox.Ip);
        Assert.Equal("uid-" + _id, sandbox.Uid);

        clock.Restart();
        var imageId = await ((ICriRuntime)cri).EnsureImageAsync(BusyboxImage, None);
        var containerId = await cri.CreateContainerAsync(sandboxId, new ContainerSpec
        {
            Name = "httpd", Image = BusyboxImage, Command = ["httpd"], Args = ["-f", "-p", "80", "-h", "/www"],
            Env = [new("GREETING", "hi")], LogPath = "httpd/0.log",
            Labels = new Dictionary<string, string> { [RuntimeLabels.PodUid] = "uid-" + _id, [RuntimeLabels.ContainerName] = "httpd" },
            Resources = LinuxResources.FromKubernetes(100, 200, 32L << 20),
        }, pod, None);
        await cri.StartContainerAsync(containerId, None);
        var containerMs = clock.ElapsedMilliseconds;

        var status = await cri.ContainerStatusAsync(containerId, None);
        Assert.Equal(ContainerState.Running, status.State);
        Assert.Equal(sandboxId, status.SandboxId);
        Assert.Equal(imageId, status.ImageRef);
        Assert.NotNull(status.StartedAt);
        Assert.Equal(Path.Combine(pod.LogDirectory, "httpd/0.log"), status.LogPath);
        var listed = await cri.ListContainersAsync(new ContainerFilter { Labels = new Dictionary<string, string> { [RuntimeLabels.PodUid] = "uid-" + _id } }, None);
        Assert.Equal([containerId], listed.Select(c => c.Id));
        Assert.Equal([sandboxId], (await cri.ListSandboxesAsync(new Dictionary<string, string> { [RuntimeLabels.PodUid] = "uid-" + _id }, None)).Select(s => s.Id));

        var echo = await cri.ExecSyncAsync(containerId, ["echo", "hi"], TimeSpan.FromSeconds(5), None);
        Assert.Equal((0, "hi\n"), (echo.ExitCode, Encoding.UTF8.GetString(echo.Stdout)));
        var env = await cri.ExecSyncAsync(containerId, ["sh", "-c", "echo $GREETING; cat /etc/resolv.conf"], TimeSpan.FromSeconds(5), None);
        Assert.Contains("hi", Encoding.UTF8.GetString(env.Stdout));
        Assert.Contains("nameserver 10.250.0.10", Encoding.UTF8.GetString(env.Stdout));
        var failing = await cri.ExecSyncAsync(containerId, ["sh", "-c", "exit 3"], TimeSpan.FromSeconds(5), None);
        Assert.Equal(3, failing.ExitCode);

        // The pod answers on its IP from the node's namespace (and only there: nothing leaves the test's namespace).
        var page = await _netns!.ExecAsync("curl", "-sS", "--max-time", "5", $"http://{sandbox.Ip}/index.html");
        Assert.Equal(BusyboxImageArchive.IndexPage, page);

        // busybox httpd handles SIGTERM (as PID 1 of its PID namespace only handled signals arrive): 128 + 15.
        clock.Restart();
        await cri.StopContainerAsync(containerId, TimeSpan.FromSeconds(1), None);
        var stopMs = clock.ElapsedMilliseconds;
        var stoppedStatus = await cri.ContainerStatusAsync(containerId, None);
        Assert.Equal((ContainerState.Exited, 143), (stoppedStatus.State, stoppedStatus.ExitCode));
        clock.Restart();
        await cri.RemoveContainerAsync(containerId, None);
        await cri.StopSandboxAsync(sandboxId, None);
        await cri.RemoveSandboxAsync(sandboxId, None);
        var removeMs = clock.ElapsedMilliseconds;
        var missing = await Assert.ThrowsAsync<RuntimeException>(() => cri.ContainerStatusAsync(containerId, None));
        Assert.Equal(RuntimeErrorCode.NotFound, missing.Code);

        clock.Restart();
        var containerdPid = containerd.ProcessId!.Value;
        await TearDownAsync();
        var teardownMs = clock.ElapsedMilliseconds;

        Assert.False(ProcessTable.IsAlive(containerdPid), "containerd is gone");
        Assert.Empty(ShimReaper.FindShims(containerd.Paths.Socket));
        Assert.False(NetNs.Exists(_netns.Name), "the node namespace is deleted");
        Assert.Empty(CgroupDirs());
        Assert.Empty(Directory.Exists("/var/lib/cni/results") ? Directory.GetFiles("/var/lib/cni/results", NetworkName + "-*") : []);
        output.WriteLine($"containerd ready {startMs} ms, images imported {importMs} ms, sandbox {sandboxMs} ms, " +
                         $"container create+start {containerMs} ms, stop (1 s grace) {stopMs} ms, remove container + stop/remove sandbox {removeMs} ms, teardown {teardownMs} ms, snapshotter {containerd.Snapshotter}");
    }

    [Fact]
    public async Task A_killed_containerd_is_restarted_and_an_answering_endpoint_is_attached_to_without_a_supervisor()
    {
        var (containerd, cri) = await StartContainerdAsync(new ContainerdOptions
        {
            DataDir = _dataDir, SandboxImage = PauseImage, NetworkNamespace = _netns!.Name, InitialRestartDelay = TimeSpan.FromMilliseconds(50),
        });
        var first = containerd.ProcessId!.Value;
        Process.GetProcessById(first).Kill();

        await Poll.UntilAsync("containerd restarted and ready", async () =>
            containerd.Restarts == 1 && containerd.ProcessId is { } pid && pid != first && (await TryStatusAsync(cri))?.RuntimeReady == true);

        await using var attached = await RuntimeConnection.OpenAsync(containerd.Endpoint,
            new ContainerdOptions { DataDir = Path.Combine(_dataDir, "unused"), SandboxImage = PauseImage }, NullLoggerFactory.Instance, None);
        Assert.Null(attached.Supervisor);
        Assert.Equal("containerd", (await attached.Runtime.VersionAsync(None)).Name);
    }

    public async Task DisposeAsync() => await TearDownAsync();

    private async Task<(ContainerdSupervisor, CriRuntime)> StartContainerdAsync(ContainerdOptions? options = null)
    {
        options ??= new ContainerdOptions { DataDir = _dataDir, SandboxImage = PauseImage, NetworkNamespace = _netns!.Name };
        _containerd = new ContainerdSupervisor(options, NullLogger<ContainerdSupervisor>.Instance);
        Directory.CreateDirectory(_containerd.Paths.CniConfDir);
        await File.WriteAllTextAsync(Path.Combine(_containerd.Paths.CniConfDir, "10-bridge.conflist"), Conflist());
        await _containerd.StartAsync(None);
        _cri = CriRuntime.Connect(_containerd.Endpoint, TimeSpan.FromSeconds(20));
        return (_containerd, _cri);
    }

    private async Task ImportImagesAsync(ContainerdSupervisor containerd)
    {
        var archive = Path.Combine(_dataDir, "busybox.tar");
        BusyboxImageArchive.Write(archive, [(PauseImage, ["/bin/sleep", "2147483647"]), (BusyboxImage, ["/bin/sh"])]);
        using var ctr = Process.Start(new ProcessStartInfo("ctr",
            ["-a", containerd.Paths.Socket, "-n", "k8s.io", "images", "import", "--snapshotter", containerd.Snapshotter, archive])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var stderr = ctr.StandardError.ReadToEndAsync();
        await ctr.StandardOutput.ReadToEndAsync();
        await ctr.WaitForExitAsync();
        Assert.True(ctr.ExitCode == 0, "ctr images import failed: " + await stderr);
    }

    private string Conflist() => $$"""
        {
          "cniVersion": "0.4.0",
          "name": "{{NetworkName}}",
          "plugins": [
            {
              "type": "bridge", "bridge": "cbr0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
              "ipam": {
                "type": "host-local", "dataDir": "{{_dataDir}}/ipam",
                "ranges": [[{ "subnet": "{{Subnet}}" }]],
                "routes": [{ "dst": "0.0.0.0/0" }]
              }
            }
          ]
        }
        """;

    /// <summary>Removes sandboxes through CRI (runs CNI DEL), stops containerd and its shims, deletes namespace, cgroups and files. Idempotent.</summary>
    private async Task TearDownAsync()
    {
        if (_cri is not null && _containerd?.ProcessId is not null)
        {
            try
            {
                foreach (var sandbox in await _cri.ListSandboxesAsync(null, None))
                    await _cri.RemoveSandboxAsync(sandbox.Id, None);
            }
            catch (RuntimeException e)
            {
                output.WriteLine("teardown: removing sandboxes failed: " + e.Message);
            }
        }
        _cri?.Dispose();
        _cri = null;
        if (_containerd is not null) await _containerd.DisposeAsync();
        if (_netns is not null) await _netns.DisposeAsync();
        foreach (var dir in CgroupDirs())
        {
            try { Directory.Delete(dir); }
            catch (IOException e) { output.WriteLine($"teardown: rmdir {dir}: {e.Message}"); }
        }
        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
    }

    private string[] CgroupDirs() =>
        Directory.GetDirectories("/sys/fs/cgroup").Select(c => c + CgroupParent).Where(Directory.Exists).ToArray();

    private static async Task<RuntimeHealth?> TryStatusAsync(CriRuntime cri)
    {
        try { return await cri.StatusAsync(None); }
        catch (RuntimeException) { return null; }
    }
}
