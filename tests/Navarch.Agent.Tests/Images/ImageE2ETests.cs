using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Agent.Containerd;
using Navarch.Cri;
using Navarch.Images;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Agent.Tests.Images;

/// <summary>
/// The built images in a real, throwaway containerd (Debian's 1.6) that runs in a network namespace of the
/// test's own: import, names as CRI looks them up, and nginx serving Debian's welcome page. Containers are
/// started with <c>ctr run</c> (no CRI sandbox) in that namespace. Everything is removed afterwards, also on failure.
/// </summary>
[Trait("Category", "E2E")]
[Collection(Navarch.Agent.Tests.E2E.E2ECollection.Name)]
public sealed class ImageE2ETests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    /// <summary>Kept between runs on purpose: a rebuild happens only when its inputs change.</summary>
    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "navarch-test-images");

    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly string _dataDir = Path.Combine("/tmp", "nvi-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _containers = [];
    private NetNs? _netns;
    private ContainerdSupervisor? _containerd;

    private ContainerdSupervisor Containerd => _containerd!;
    private string CgroupParent => "/navarch-imgtest-" + _id;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDir);
        _netns = await NetNs.CreateAsync("nvi");
        _containerd = new ContainerdSupervisor(
            new ContainerdOptions { DataDir = _dataDir, SandboxImage = "docker.io/" + ImageRecipes.PauseName, NetworkNamespace = _netns.Name },
            NullLogger<ContainerdSupervisor>.Instance);
        await _containerd.StartAsync(None);
    }

    [Fact]
    public async Task Nginx_and_pause_import_under_the_names_cri_resolves_and_nginx_serves_the_welcome_page()
    {
        var builder = new ImageBuilder(Cache);
        var clock = Stopwatch.StartNew();
        var nginx = await builder.BuildNginxAsync(None);
        var pause = await builder.BuildPauseAsync(None);
        var buildMs = clock.ElapsedMilliseconds;

        clock.Restart();
        Assert.Equal(["docker.io/library/nginx:latest"], await ImportAsync(nginx));
        Assert.Equal(["docker.io/navarch/pause:3.9"], await ImportAsync(pause));
        var importMs = clock.ElapsedMilliseconds;

        var listed = await ImageImporter.ListAsync(Containerd.Paths.Socket, ct: None);
        var nginxId = "sha256:" + DockerArchive.Read(File.OpenRead(nginx)).ConfigName[..^".json".Length];
        Assert.Contains(listed, i => i.Reference == "docker.io/library/nginx:latest" && i.ImageId == nginxId && i.Size > 1_000_000);
        Assert.Contains(listed, i => i.Reference == "docker.io/navarch/pause:3.9");

        using (var cri = CriRuntime.Connect(Containerd.Endpoint, TimeSpan.FromSeconds(10)))
        {
            foreach (var name in new[] { "nginx", "nginx:latest", "docker.io/library/nginx:latest" })
                Assert.Equal(nginxId, (await cri.ImageStatusAsync(name, None))?.Id);
            Assert.NotNull(await cri.ImageStatusAsync(ImageRecipes.PauseName, None));
        }

        clock.Restart();
        var log = Path.Combine(_dataDir, "nginx.log");
        await RunAsync("nginx", "docker.io/library/nginx:latest", ["--with-ns", "network:" + _netns!.Path, "--log-uri", "file://" + log]);
        var page = "";
        await Poll.UntilAsync("nginx answers on port 80 inside the namespace", async () =>
        {
            try { page = await _netns.ExecAsync("curl", "-s", "-m", "2", "http://127.0.0.1/"); }
            catch (Exception e) when (e is InvalidOperationException or IOException) { return false; }
            return page.Contains("<h1>Welcome to nginx!</h1>");
        }, lastSeen: () => page);
        var serveMs = clock.ElapsedMilliseconds;
        await Poll.UntilAsync("nginx's access log reaches the container's stdout",
            () => File.Exists(log) && File.ReadAllText(log).Contains("\"GET / HTTP/1.1\" 200"), lastSeen: () => File.Exists(log) ? File.ReadAllText(log) : "(no log)");

        output.WriteLine($"build nginx+pause {buildMs} ms (nginx {new FileInfo(nginx).Length / 1048576.0:0.0} MB, pause {new FileInfo(pause).Length / 1048576.0:0.0} MB), " +
                         $"import {importMs} ms, nginx run to first page {serveMs} ms, snapshotter {Containerd.Snapshotter}");
    }

    [Fact]
    public async Task Pause_exits_on_SIGTERM_and_busybox_runs_its_applets()
    {
        var builder = new ImageBuilder(Cache);
        await ImportAsync(await builder.BuildPauseAsync(None));
        await ImportAsync(await builder.BuildBusyboxAsync(None));

        _containers.Add("bb"); // --rm removes it; listed for teardown in case the run fails half-way
        var said = await CtrAsync(["run", "--rm", .. RunFlags("bb"), "docker.io/library/busybox:latest", "bb", "sh", "-c", "echo ok; id -un; ls /bin | wc -l"]);
        var lines = said.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["ok", "root"], lines[..2]);
        Assert.True(int.Parse(lines[2]) > 200, $"busybox links its applets in /bin, saw {lines[2]}");

        await RunAsync("pause", "docker.io/navarch/pause:3.9", ["--null-io"]);
        await CtrAsync(["tasks", "kill", "-s", "SIGTERM", "pause"]);
        await Poll.UntilAsync("pause stopped after SIGTERM", async () => (await CtrAsync(["tasks", "ls"])).Split('\n').Any(l => l.StartsWith("pause ") && l.Contains("STOPPED")),
            timeout: TimeSpan.FromSeconds(5));
    }

    private Task<IReadOnlyList<string>> ImportAsync(string tarball) =>
        ImageImporter.ImportAsync(Containerd.Paths.Socket, tarball, snapshotter: Containerd.Snapshotter, ct: None);

    private string[] RunFlags(string name) =>
        ["--runc-root", Containerd.Paths.RuncRoot, "--snapshotter", Containerd.Snapshotter, "--cgroup", $"{CgroupParent}/{name}"];

    private async Task RunAsync(string name, string image, string[] flags)
    {
        _containers.Add(name);
        await CtrAsync(["run", "-d", .. RunFlags(name), .. flags, image, name]);
    }

    private async Task<string> CtrAsync(string[] args, bool check = true)
    {
        var info = new ProcessStartInfo("ctr", ["-a", Containerd.Paths.Socket, "-n", ImageImporter.CriNamespace, .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var ctr = Process.Start(info)!;
        var stdout = ctr.StandardOutput.ReadToEndAsync();
        var stderr = ctr.StandardError.ReadToEndAsync();
        await ctr.WaitForExitAsync();
        if (check && ctr.ExitCode != 0) throw new InvalidOperationException($"ctr {string.Join(' ', args)}: {await stderr}");
        return await stdout;
    }

    /// <summary>Kills and deletes the containers, stops containerd and its shims, deletes namespace, cgroups and files. Idempotent.</summary>
    public async Task DisposeAsync()
    {
        if (_containerd?.ProcessId is not null)
        {
            foreach (var name in _containers)
            {
                await CtrAsync(["tasks", "kill", "-s", "SIGKILL", name], check: false);
                await CtrAsync(["tasks", "delete", "--force", name], check: false);
                await CtrAsync(["containers", "delete", name], check: false);
            }
        }
        _containers.Clear();
        if (_containerd is not null) await _containerd.DisposeAsync();
        if (_netns is not null) await _netns.DisposeAsync();
        foreach (var dir in Directory.GetDirectories("/sys/fs/cgroup").Select(c => c + CgroupParent).Where(Directory.Exists))
        {
            try { Directory.Delete(dir); }
            catch (IOException e) { output.WriteLine($"teardown: rmdir {dir}: {e.Message}"); }
        }
        if (Directory.Exists(_dataDir)) Directory.Delete(_dataDir, recursive: true);
    }
}
