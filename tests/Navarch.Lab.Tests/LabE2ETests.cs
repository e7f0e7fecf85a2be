using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Models;
using Navarch.Lab.Host;
using Navarch.Testing;

namespace Navarch.Lab.Tests;

/// <summary>
/// <c>navarch up</c> with the seed's config builds the walkthrough's cluster; the seed's RC runs two nginx pods on two
/// nodes, reachable across nodes; <c>navarch down</c> leaves the root namespace as it was. The lab gets a namespace
/// prefix, host port and data dir of its own, so it cannot clash with a user's cluster.
/// </summary>
[Trait("Category", "E2E")]
public sealed partial class LabE2ETests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);
    internal static readonly string SeedDir = Path.Combine(AppContext.BaseDirectory, "seed");

    [Theory]
    [InlineData("userspace", "sqlite")]
    [InlineData("iptables", "etcd")] // one master on etcd: its member runs in the master's namespace
    public async Task Up_runs_the_seed_cluster_and_down_leaves_nothing(string proxyMode, string storageBackend)
    {
        var clock = Stopwatch.StartNew();
        var prefix = "nvl" + Guid.NewGuid().ToString("N")[..5];
        var dataDir = Directory.CreateTempSubdirectory("navarch-lab-e2e-").FullName;
        var port = FreePort();
        var securePort = FreePort();
        var before = await RootNamespaceSnapshot.TakeAsync(prefix);
        LabState? state = null;
        var downDone = false;
        try
        {
            var up = await NavarchAsync(["up", "-f", Path.Combine(SeedDir, "config-default.sh"), "--port", port.ToString(), "--secure-port", securePort.ToString(),
                "--data-dir", dataDir, "--netns-prefix", prefix,
                "--proxy-mode", proxyMode, "--storage-backend", storageBackend], TimeSpan.FromSeconds(150));
            Assert.True(up.ExitCode == 0, $"navarch up failed:\n{up}");
            state = LabState.Load(dataDir);
            Assert.NotNull(state);
            Assert.StartsWith("""
                Kubernetes cluster is running. The master is running at:
                http://192.168.0.201
                ... calling validate-cluster
                Found 3 nodes.
                  NAME            LABELS   STATUS
                  192.168.0.201   <none>   Ready
                  192.168.0.202   <none>   Ready
                  192.168.0.203   <none>   Ready
                Cluster validation succeeded
                Kubernetes master is running at http://192.168.0.201:8080
                """.ReplaceLineEndings("\n"), up.Stdout);
            Assert.Contains($"http://127.0.0.1:{port}", up.Stdout);
            Assert.Equal(storageBackend == "etcd", state.Masters.Single().Etcd?.IsAlive ?? false);

            var again = await NavarchAsync(["up", "--port", port.ToString(), "--data-dir", dataDir, "--netns-prefix", prefix], TimeSpan.FromSeconds(30));
            Assert.True(again.ExitCode == 0 && again.Stdout.Contains("already running"), again.ToString());

            var server = $"http://127.0.0.1:{port}";
            using (var kubectl = new Kubectl(server))
            {
                var created = await kubectl.RunAsync("create", "-f", Path.Combine(SeedDir, "nginx-rc.yaml"));
                Assert.True(created.ExitCode == 0, created.ToString());
            }
            using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server });
            IList<V1Pod> pods = [];
            await Poll.UntilAsync("2 nginx pods Running on 2 nodes", async () =>
            {
                pods = (await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "name=nginx")).Items;
                return pods.Count == 2 && pods.All(p => p.Status?.Phase == "Running" && p.Status.PodIP is not null);
            }, TimeSpan.FromSeconds(60), () => string.Join('\n', pods.Select(p => $"{p.Metadata.Name} {p.Spec.NodeName} {p.Status?.Phase} {p.Status?.PodIP}")));

            var flannel = IPNetwork.Parse("172.16.0.0/16");
            Assert.All(pods, p => Assert.True(flannel.Contains(IPAddress.Parse(p.Status.PodIP)), $"pod IP {p.Status.PodIP} is not in {flannel}"));
            Assert.Equal(2, pods.Select(p => p.Spec.NodeName).Distinct().Count());
            foreach (var pod in pods)
            {
                // Cross-node pod routing: from a node that does not run this pod.
                var other = state.Nodes.First(n => n.Name != pod.Spec.NodeName);
                var page = await new NetworkNamespace(other.Namespace).ExecAsync(CancellationToken.None, "curl", "-sS", "--max-time", "5", $"http://{pod.Status.PodIP}/");
                Assert.Contains("Welcome to nginx!", page);
            }

            await ServicesAreReachableAsync(server, client, state, proxyMode);
            await ClusterDnsAnswersInPodsAsync(server, client, pods);
            await KubeconfigReachesTheNodesOverTlsAsync(dataDir, securePort, up.Stdout);
            if (proxyMode == "userspace") await PodTokenIsHeldToRbacAndDiesWithThePodAsync(server, client, state);
            if (proxyMode == "iptables") await WorkloadsRunOnRealContainersAsync(server, client, state);
            ServerRefusedNoLoop(dataDir);

            var down = await NavarchAsync(["down", "--data-dir", dataDir], TimeSpan.FromSeconds(60));
            downDone = true;
            Assert.True(down.ExitCode == 0, down.ToString());
        }
        catch
        {
            if (!downDone) await NavarchAsync(["down", "--data-dir", dataDir], TimeSpan.FromSeconds(60));
            Directory.Delete(dataDir, recursive: true);
            throw;
        }

        try
        {
            var after = await RootNamespaceSnapshot.TakeAsync(prefix);
            Assert.Equal(before.Links, after.Links);
            Assert.Equal(before.Routes, after.Routes);
            Assert.Equal(before.Addresses, after.Addresses);
            Assert.Equal(before.Nat, after.Nat);
            Assert.Equal(before.Filter, after.Filter);
            Assert.Equal(before.Mounts, after.Mounts);
            Assert.Empty(Directory.EnumerateFiles(NetworkNamespace.Directory, prefix + "-*"));
            Assert.Null(LabState.Load(dataDir));
            Assert.False(File.Exists(Path.Combine(dataDir, LabKubeconfig.FileName)), "navarch down left the lab's kubeconfig");
            Assert.Empty(state!.LiveProcesses);
            Assert.Empty(LabProcessesOf(dataDir));
            // CNI DEL ran for every pod: no cached result names the lab's pod network.
            if (Directory.Exists("/var/lib/cni/results"))
                Assert.DoesNotContain(Directory.EnumerateFiles("/var/lib/cni/results"), f => File.ReadAllText(f).Contains("\"172.16.", StringComparison.Ordinal));
            Assert.True(clock.Elapsed < Bound, $"up, pods, down took {clock.Elapsed.TotalSeconds:0} s");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    /// <summary>
    /// The walkthrough's steps 3–5: the seed's ClusterIP and NodePort services answer with nginx's page on their
    /// cluster IP from every node, on the node port from another node and from the node itself (whichever node the
    /// chosen pod is on: masquerading works); in userspace mode each node's nat table holds the four chains with the
    /// article's rules, in iptables mode upstream's KUBE-SERVICES and KUBE-NODEPORTS rules.
    /// </summary>
    private static async Task ServicesAreReachableAsync(string server, Kubernetes client, LabState state, string proxyMode)
    {
        using (var kubectl = new Kubectl(server))
        {
            foreach (var file in new[] { "nginx-service-clusterip.yaml", "nginx-service-nodeport.yaml" })
            {
                var created = await kubectl.RunAsync("create", "-f", Path.Combine(SeedDir, file));
                Assert.True(created.ExitCode == 0, created.ToString());
            }
        }
        var clusterIp = await client.CoreV1.ReadNamespacedServiceAsync("nginx-service-clusterip", "default");
        var nodePort = await client.CoreV1.ReadNamespacedServiceAsync("nginx-service-nodeport", "default");
        var serviceRange = IPNetwork.Parse("192.168.3.0/24");
        Assert.True(serviceRange.Contains(IPAddress.Parse(clusterIp.Spec.ClusterIP)), clusterIp.Spec.ClusterIP);
        var port = nodePort.Spec.Ports.Single().NodePort ?? 0;
        Assert.InRange(port, 30000, 32767);

        var podsProbed = 0;
        foreach (var node in state.Nodes.Where(n => n.RunsAgent))
        {
            var ns = new NetworkNamespace(node.Namespace);
            await PageAsync(ns.Path, $"{clusterIp.Spec.ClusterIP}:8001", $"cluster IP from {node.Name}");
            await PageAsync(ns.Path, $"{nodePort.Spec.ClusterIP}:8000", $"the node-port service's cluster IP from {node.Name}");
            var other = state.Nodes.First(n => n.RunsAgent && n.Name != node.Name);
            await PageAsync(ns.Path, $"{other.Address}:{port}", $"node port of {other.Name} from {node.Name}");
            await PageAsync(ns.Path, $"{node.Address}:{port}", $"node port of {node.Name} from itself");

            // From inside the node's pods (their nginx processes, below the shims of the node's containerd), a few
            // times: the service picks either pod, this one included (hairpin).
            var shims = LabProcessesOf(node.DataDir).Where(pid => ProcessInfo.Name(pid).StartsWith("containerd-shim", StringComparison.Ordinal));
            var podNetworks = ProcessInfo.Descendants(shims)
                .Where(pid => ProcessInfo.Name(pid) == "nginx")
                .Select(pid => $"/proc/{pid}/ns/net")
                .DistinctBy(NamespaceOf)
                .ToList();
            podsProbed += podNetworks.Count;
            foreach (var pod in podNetworks)
                for (var i = 0; i < 3; i++)
                    await PageAsync(pod, $"{clusterIp.Spec.ClusterIP}:8001", $"cluster IP from a pod on {node.Name}");

            var nat = await ns.ExecAsync(CancellationToken.None, "iptables-save", "-t", "nat");
            if (proxyMode == "iptables")
            {
                Assert.Matches(new System.Text.RegularExpressions.Regex($"""^-A KUBE-SERVICES -d {nodePort.Spec.ClusterIP}/32 -p tcp -m comment --comment "default/nginx-service-nodeport cluster IP" -m tcp --dport 8000 -j KUBE-SVC-[A-Z0-9]+$""", System.Text.RegularExpressions.RegexOptions.Multiline), nat);
                Assert.Matches(new System.Text.RegularExpressions.Regex($"""^-A KUBE-NODEPORTS -p tcp -m comment --comment "default/nginx-service-nodeport" -m tcp --dport {port} -j KUBE-EXT-[A-Z0-9]+$""", System.Text.RegularExpressions.RegexOptions.Multiline), nat);
                Assert.DoesNotContain("KUBE-PORTALS", nat);
                continue;
            }
            var relay = System.Text.RegularExpressions.Regex.Match(nat,
                $"""-A KUBE-PORTALS-CONTAINER -d {nodePort.Spec.ClusterIP}/32 -p tcp -m comment --comment "default/nginx-service-nodeport:" -m tcp --dport 8000 -j REDIRECT --to-ports (\d+)\n""");
            Assert.True(relay.Success, $"no portal rule for the node-port service on {node.Name}:\n{nat}");
            var proxyPort = relay.Groups[1].Value;
            var lines = nat.Split('\n');
            Assert.Contains($"""-A KUBE-PORTALS-HOST -d {nodePort.Spec.ClusterIP}/32 -p tcp -m comment --comment "default/nginx-service-nodeport:" -m tcp --dport 8000 -j DNAT --to-destination {node.Address}:{proxyPort}""", lines);
            Assert.Contains($"""-A KUBE-NODEPORT-CONTAINER -p tcp -m comment --comment "default/nginx-service-nodeport:" -m tcp --dport {port} -j REDIRECT --to-ports {proxyPort}""", lines);
            Assert.Contains($"""-A KUBE-NODEPORT-HOST -p tcp -m comment --comment "default/nginx-service-nodeport:" -m tcp --dport {port} -j DNAT --to-destination {node.Address}:{proxyPort}""", lines);
            Assert.Matches(new System.Text.RegularExpressions.Regex($"""^-A KUBE-PORTALS-CONTAINER -d {clusterIp.Spec.ClusterIP}/32 -p tcp -m comment --comment "default/nginx-service-clusterip:" -m tcp --dport 8001 -j REDIRECT --to-ports \d+$""", System.Text.RegularExpressions.RegexOptions.Multiline), nat);
            Assert.Contains("-j KUBE-PORTALS-CONTAINER", nat);
            Assert.Contains("-j KUBE-NODEPORT-HOST", nat);
        }
        Assert.Equal(2, podsProbed); // both nginx pods asked the service from inside
    }

    /// <summary>Polls (the proxy syncs within a second or two of a change) until nginx's page comes back from <paramref name="target"/>, asked from inside the network namespace <paramref name="netns"/> (a path).</summary>
    internal static async Task PageAsync(string netns, string target, string what, string page = "Welcome to nginx!")
    {
        var last = "";
        await Poll.UntilAsync($"{page} via {what}", async () =>
        {
            try
            {
                last = await HostCommand.RunAsync("nsenter", ["--net=" + netns, "curl", "-sS", "--max-time", "3", $"http://{target}/"]);
                return last.Contains(page);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e.Message;
                return false;
            }
        }, TimeSpan.FromSeconds(30), () => last);
    }

    private static string NamespaceOf(string nsPath)
    {
        try { return new FileInfo(nsPath).LinkTarget ?? nsPath; }
        catch (IOException) { return nsPath; }
    }

    /// <summary>Live processes whose command line names the lab's data dir (servers, agents, containerds, shims).</summary>
    internal static int[] LabProcessesOf(string dataDir) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ProcessInfo.IsAlive(pid) && CommandLine(pid).Contains(dataDir, StringComparison.Ordinal))
            .ToArray();

    private static string CommandLine(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
    }

    internal static async Task<CommandResult> NavarchAsync(string[] args, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(LabNode.NavarchDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"navarch {string.Join(' ', args)} did not finish within {timeout.TotalSeconds:0} s:\n{await stderr}");
        }
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
