using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using k8s;
using k8s.Models;
using Navarch.Dns.Hosting;
using Navarch.Lab.Config;
using Navarch.Lab.Host;

namespace Navarch.Lab;

/// <summary>What <see cref="LabUp.RunAsync"/> found or built.</summary>
/// <param name="AlreadyRunning">A lab was running already; nothing was changed.</param>
/// <param name="Report">The kube-up text (validation) for a new lab, or a one-line notice for a running one.</param>
public sealed record LabUpResult(bool AlreadyRunning, string Report);

/// <summary>
/// <c>navarch up</c>: builds the lab of a config (DESIGN.md, "The lab") — namespaces and links, the API server in the
/// master's namespace with a loopback forwarder on the host, an agent and containerd per node with the images
/// imported, host-gw routes once node IPAM assigned the pod subnets — and validates it as kube-up does. Every
/// process runs detached; the state file records each thing before it is made, and a failure tears down what was
/// made (<see cref="LabDown"/>).
/// </summary>
public sealed class LabUp(LabConfig config, LabOptions options, Action<string> progress)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Builds and validates the lab, or reports the one already running. Throws <see cref="LabException"/> (one line) on failure, after tearing down.</summary>
    public async Task<LabUpResult> RunAsync(CancellationToken ct)
    {
        Prerequisites.RequireRoot("navarch up");
        if (LabState.Load(options.DataDir) is { } existing)
        {
            if (existing.LiveProcesses.Any())
                return new LabUpResult(true, $"navarch up: the lab in {existing.DataDir} is already running (master {existing.MasterUrl}, kubectl -s http://127.0.0.1:{existing.HostPort}, or export KUBECONFIG={LabKubeconfig.PathIn(existing.DataDir)}); `navarch down` stops it");
            Say("a previous lab did not stop cleanly: tearing down its remains first");
            await new LabDown(existing, Say).RunAsync(ct);
        }
        await Prerequisites.EnsurePackagesAsync(Say, ct, options.StorageBackendFor(config.Masters.Count()) == "etcd" ? Prerequisites.EtcdPackages : []);
        var state = LabLayout.Plan(config, options);
        CheckFree(state);
        state = WithHostDirectories(state);
        state.Save();
        try
        {
            await BuildAsync(state, ct);
            return new LabUpResult(false, await ValidateAsync(state, ct));
        }
        catch (Exception e)
        {
            Say($"bring-up failed ({e.Message.Split('\n')[0]}); tearing down");
            await new LabDown(state, Say).RunAsync(CancellationToken.None);
            if (e is LabException or OperationCanceledException) throw;
            throw new LabException(e.Message, e);
        }
    }

    private async Task BuildAsync(LabState state, CancellationToken ct)
    {
        var images = Task.Run(() => ImagePreloader.BuildAsync(options.ImageCacheDir, ct), ct);
        await LabNetwork.BuildAsync(state, config.ServiceClusterIpRange.ToString(), ct);
        Say($"network: switch {state.SwitchNamespace} and {state.Nodes.Count} node namespaces");

        var controlPlane = new LabControlPlane(config, options, state, StartSelf, Say);
        await controlPlane.StartAsync(ct);
        var logs = LabLayout.LogDir(state.DataDir);
        // The host port reaches every master's API server: the first that accepts the connection (LabForwarder).
        state.Forwarder = ProcessRecord.Of(StartSelf(null, Path.Combine(logs, "forwarder.log"),
            UpCommandNames.Forwarder, "--listen", options.HostPort.ToString(), "--netns", new NetworkNamespace(state.Masters.First().Namespace).Path,
            "--target", string.Join(',', state.Masters.Select(m => $"{m.Address}:{options.ApiPort}"))));
        state.Save();
        // The same for the secure port: the lab's kubeconfig names it.
        state.SecureForwarder = ProcessRecord.Of(StartSelf(null, Path.Combine(logs, "forwarder-secure.log"),
            UpCommandNames.Forwarder, "--listen", options.HostSecurePort.ToString(), "--netns", new NetworkNamespace(state.Masters.First().Namespace).Path,
            "--target", string.Join(',', state.Masters.Select(m => $"{m.Address}:{LabOptions.ApiSecurePort}"))));
        state.Save();
        await controlPlane.WaitForServersAsync(ct);
        await WaitForApiAsync(state, ct);
        var kubeconfig = LabKubeconfig.Write(state.DataDir, Path.Combine(LabControlPlane.ServerDataDir(state, state.Masters.First()), LabKubeconfig.ServerAdminFile),
            LabKubeconfig.HostUrl(options.HostSecurePort));
        Say($"API server ready at {state.MasterUrl} (host: http://127.0.0.1:{options.HostPort}; TLS {LabKubeconfig.HostUrl(options.HostSecurePort)} with {kubeconfig})");

        state.Agents = new LabAgentSettings(controlPlane.ServerUrls, options.ProxyMode, config.FlannelNet.ToString(),
            KubeDnsService.ClusterIpFor(config.ServiceClusterIpRange.ToString()).ToString(), config.ServiceClusterIpRange.ToString());
        foreach (var node in state.Nodes.Where(n => n.RunsAgent))
        {
            node.Agent = ProcessRecord.Of(StartSelf(node.Namespace, Path.Combine(logs, node.Name + ".log"), [.. state.Agents.ArgumentsFor(node)]));
            state.Save();
        }
        var tarballs = await images;
        await Task.WhenAll(state.Nodes.Where(n => n.RunsAgent).Select(async node =>
        {
            var paths = ImagePreloader.ContainerdOf(node.DataDir);
            await ImagePreloader.WaitForRuntimeAsync(node.Name, paths, () => node.Agent!.IsAlive, () => Tail(node.Agent!), options.ReadyTimeout, ct);
            await ImagePreloader.ImportAsync(paths, tarballs, ct);
        }));
        Say($"agents and containerds running; images nginx, nginx:v2, pause and dnsutils imported on every node; cluster DNS at {KubeDnsService.ClusterIpFor(config.ServiceClusterIpRange.ToString())}");
    }

    private async Task WaitForApiAsync(LabState state, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + options.ReadyTimeout;
        while (true)
        {
            if (!state.Forwarder!.IsAlive) throw new LabException($"the forwarder on 127.0.0.1:{options.HostPort} exited; its log ends:\n{Tail(state.Forwarder)}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{options.HostPort}/readyz", ct)).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow > deadline) throw new LabException($"the API server was not ready through 127.0.0.1:{options.HostPort} within {options.ReadyTimeout.TotalSeconds:0} s; the forwarder's log ends:\n{Tail(state.Forwarder)}");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>kube-up's validate-cluster: every node registered and Ready; here also schedulable (its not-ready taint lifted), with its pod subnet, which the routes need.</summary>
    private async Task<string> ValidateAsync(LabState state, CancellationToken ct)
    {
        using var client = new Kubernetes(Navarch.Client.ClientConfigurations.ForUrl($"http://127.0.0.1:{options.HostPort}"));
        var agents = state.Nodes.Where(n => n.RunsAgent).ToList();
        var deadline = DateTime.UtcNow + options.ReadyTimeout;
        IList<V1Node> nodes = [];
        while (true)
        {
            foreach (var node in agents.Where(n => !n.Agent!.IsAlive))
                throw new LabException($"the agent of {node.Name} exited; its log ends:\n{Tail(node.Agent!)}");
            nodes = (await client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items;
            var ready = agents.All(a => nodes.FirstOrDefault(n => n.Metadata.Name == a.Name) is { } n && ClusterReport.IsSchedulable(n) && !string.IsNullOrEmpty(n.Spec?.PodCIDR));
            if (ready) break;
            if (DateTime.UtcNow > deadline)
                throw new LabException($"validate-cluster: {nodes.Count(ClusterReport.IsReady)} of {agents.Count} nodes Ready and schedulable with a pod subnet after {options.ReadyTimeout.TotalSeconds:0} s");
            await Task.Delay(200, ct);
        }
        foreach (var node in agents) node.PodCidr = nodes.First(n => n.Metadata.Name == node.Name).Spec.PodCIDR;
        state.Save();
        await LabNetwork.RoutePodSubnetsAsync(state, ct);
        Say($"pod subnets routed ({string.Join(", ", agents.Select(a => $"{a.Name}: {a.PodCidr}"))}); up in {_clock.Elapsed.TotalSeconds:0.0} s");
        return ClusterReport.Render(config.Master.Address.ToString(), options.ApiPort, options.HostPort, nodes.ToList(), LabKubeconfig.PathIn(state.DataDir));
    }

    private DetachedProcess StartSelf(string? netns, string log, params string[] args) =>
        DetachedProcess.Start(netns is null ? null : new NetworkNamespace(netns).Path, options.SelfCommand[0], [.. options.SelfCommand.Skip(1), .. args], log);

    /// <summary>Refuses to build over things that exist but are not this lab's: the host port, the namespaces.</summary>
    private static void CheckFree(LabState state)
    {
        foreach (var (port, flag) in new[] { (state.HostPort, "--port"), (state.HostSecurePort, "--secure-port") })
        {
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
            }
            catch (SocketException)
            {
                throw new LabException($"127.0.0.1:{port} is already in use (another cluster or navarch server?): stop it or choose {flag}");
            }
        }
        foreach (var name in state.Nodes.Select(n => n.Namespace).Prepend(state.SwitchNamespace))
            if (new NetworkNamespace(name).Exists)
                throw new LabException($"network namespace {name} already exists but belongs to no lab in {state.DataDir}: delete it (ip netns del {name}) or choose --netns-prefix");
    }

    /// <summary>Notes the host directories the lab's runtimes may create (cgroup parents, CNI's result cache), so that down removes them.</summary>
    private static LabState WithHostDirectories(LabState state)
    {
        var candidates = new List<string> { "/var/lib/cni", "/var/lib/cni/results" };
        if (Directory.Exists("/sys/fs/cgroup"))
            candidates.AddRange(Directory.EnumerateDirectories("/sys/fs/cgroup").Select(c => Path.Combine(c, "k8s.io")));
        candidates.Add("/sys/fs/cgroup/k8s.io");
        state.CreatedDirectories.AddRange(candidates.Distinct().Where(d => !Directory.Exists(d)));
        return new LabState
        {
            DataDir = state.DataDir, HostPort = state.HostPort, HostSecurePort = state.HostSecurePort, MasterUrl = state.MasterUrl, SwitchNamespace = state.SwitchNamespace,
            Nodes = state.Nodes, CreatedDirectories = state.CreatedDirectories, NetnsDirWasMounted = NetnsDirIsMounted(),
        };
    }

    /// <summary>Whether /run/netns is a mount point (ip netns makes it one, shared, the first time).</summary>
    public static bool NetnsDirIsMounted() =>
        File.ReadLines("/proc/mounts").Any(l => l.Split(' ') is { Length: > 1 } f && f[1] == NetworkNamespace.Directory);

    private static string Tail(ProcessRecord process) => new DetachedProcess(process.Pid, process.StartTicks, process.LogFile).LogTail();

    private void Say(string message) => progress($"[{_clock.Elapsed.TotalSeconds,5:0.0}s] {message}");
}

/// <summary>Names of the hidden subcommands the lab starts.</summary>
public static class UpCommandNames
{
    /// <summary>The loopback forwarder: <c>navarch lab-forward --listen PORT --netns PATH --target IP:PORT</c>.</summary>
    public const string Forwarder = "lab-forward";
}
