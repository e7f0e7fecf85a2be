using System.Diagnostics;
using k8s;
using k8s.Models;
using Navarch.Lab.Host;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Lab.Tests;

/// <summary>
/// <c>navarch up</c> with two masters (<c>roles=("ai" "ai" "i")</c>): an etcd member and an API server with a leader-elected
/// controller manager and scheduler on each, agents with both servers. The seed's RC converges; then the master whose
/// controller manager leads is killed (SIGKILL to its <c>navarch server</c>): kubectl through the host port still works (it
/// reaches the other master), the <c>kubernetes</c> endpoints drop the dead server, the standby controller manager takes the
/// lease, a scaled RC converges without creating a pod twice, and the cluster IP answers from every node. <c>navarch down</c>
/// leaves no etcd process nor data.
/// </summary>
[Trait("Category", "E2E")]
public sealed class LabHaE2ETests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Two_masters_on_etcd_survive_the_death_of_the_leading_one()
    {
        var clock = Stopwatch.StartNew();
        var prefix = "nvh" + Guid.NewGuid().ToString("N")[..5];
        var dataDir = Directory.CreateTempSubdirectory("navarch-lab-ha-").FullName;
        var configFile = Path.Combine(Directory.CreateTempSubdirectory("navarch-lab-ha-config-").FullName, "config-two-masters.sh");
        File.WriteAllText(configFile, File.ReadAllText(Path.Combine(LabE2ETests.SeedDir, "config-default.sh"))
            .Replace("roles=(\"ai\" \"i\" \"i\")", "roles=(\"ai\" \"ai\" \"i\")", StringComparison.Ordinal));
        var port = LabE2ETests.FreePort();
        LabState? state = null;
        var downDone = false;
        try
        {
            var up = await LabE2ETests.NavarchAsync(["up", "-f", configFile, "--port", port.ToString(), "--data-dir", dataDir, "--netns-prefix", prefix], TimeSpan.FromSeconds(150));
            Assert.True(up.ExitCode == 0, $"navarch up failed:\n{up}");
            Phase("navarch up with two masters on etcd");
            state = LabState.Load(dataDir);
            Assert.NotNull(state);
            var masters = state.Masters.ToList();
            Assert.Equal(["192.168.0.201", "192.168.0.202"], masters.Select(m => m.Name));
            Assert.All(masters, m => Assert.True(m.Etcd!.IsAlive && m.Server!.IsAlive, $"{m.Name}: etcd or server not running"));
            // One cluster CA for both: the first master's admin kubeconfig works against the second's secure port.
            var adminKubeconfig = Path.Combine(LabLayout.ServerDir(dataDir), masters[0].Name, "admin.kubeconfig");
            var overTls = await HostCommand.TryRunAsync("nsenter", ["--net=" + new NetworkNamespace(masters[1].Namespace).Path,
                "/usr/bin/kubectl", "--kubeconfig", adminKubeconfig, "--server", $"https://{masters[1].Address}:6443", "get", "nodes", "-o", "name"]);
            Assert.True(overTls.ExitCode == 0 && overTls.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 3,
                $"the first master's admin kubeconfig against the second over TLS: {overTls}");

            var server = $"http://127.0.0.1:{port}";
            using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server });
            using var kubectl = new Kubectl(server);
            foreach (var file in new[] { "nginx-rc.yaml", "nginx-service-clusterip.yaml" })
            {
                var created = await kubectl.RunAsync("create", "-f", Path.Combine(LabE2ETests.SeedDir, file));
                Assert.True(created.ExitCode == 0, created.ToString());
            }
            await RunningNginxAsync(client, 2, "the seed's RC: 2 nginx pods Running");
            await EndpointAddressesAsync(client, "default", "kubernetes", ["192.168.0.201", "192.168.0.202"], "the kubernetes endpoints to list both masters");
            await EndpointAddressesAsync(client, "kube-system", "kube-dns", ["192.168.0.201", "192.168.0.202"], "the kube-dns endpoints to list both masters' DNS servers");
            Phase("the seed's RC converged");

            var holder = await HolderAsync(client, "kube-controller-manager");
            var leader = masters.Single(m => File.ReadAllText(m.Server!.LogFile).Contains($"{holder} is now the leader", StringComparison.Ordinal));
            var standby = masters.Single(m => m != leader);
            Assert.True(ProcessInfo.Signal(leader.Server!.Pid, LibC.SigKill, leader.Server.StartTicks), $"kill -9 of the server on {leader.Name}");
            Assert.True(await ProcessInfo.WaitGoneAsync([leader.Server.Pid], TimeSpan.FromSeconds(10)), $"the server on {leader.Name} did not die");
            var killed = Stopwatch.StartNew();

            var nodes = await kubectl.RunAsync("get", "nodes", "-o", "name");
            Assert.True(nodes.ExitCode == 0 && nodes.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 3, $"kubectl through the other master:\n{nodes}");
            await EndpointAddressesAsync(client, "default", "kubernetes", [standby.Address], $"the kubernetes endpoints to drop {leader.Name}");
            Phase($"endpoints dropped the killed master {killed.Elapsed.TotalSeconds:0.0} s after the kill");
            await EndpointAddressesAsync(client, "kube-system", "kube-dns", [standby.Address], $"the kube-dns endpoints to drop {leader.Name}");
            Phase($"kube-dns endpoints dropped the killed master {killed.Elapsed.TotalSeconds:0.0} s after the kill");
            await Poll.UntilAsync($"the controller manager on {standby.Name} to take the lease", async () =>
            {
                var now = await HolderAsync(client, "kube-controller-manager");
                return now != holder && File.ReadAllText(standby.Server!.LogFile).Contains($"{now} is now the leader", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(30));
            Phase($"the standby controller manager leads {killed.Elapsed.TotalSeconds:0.0} s after the kill");

            var before = await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "name=nginx");
            var added = new List<string>();
            using var stopWatch = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var watching = Task.Run(async () =>
            {
                try
                {
                    await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync("default", labelSelector: "name=nginx",
                                       resourceVersion: before.Metadata.ResourceVersion, cancellationToken: stopWatch.Token))
                        if (type == WatchEventType.Added) lock (added) added.Add(pod.Metadata.Name);
                }
                catch (OperationCanceledException) { }
            });
            var scaled = await kubectl.RunAsync("scale", "rc", "nginx-controller", "--replicas=4");
            Assert.True(scaled.ExitCode == 0, scaled.ToString());
            var pods = await RunningNginxAsync(client, 4, "the scaled RC: 4 nginx pods Running");
            await Poll.UntilAsync("the watch to see the 2 new pods", () => { lock (added) return added.Count >= 2; }, TimeSpan.FromSeconds(15));
            await stopWatch.CancelAsync();
            await watching;
            Assert.Equal(2, added.Count); // no pod created twice
            Assert.Equal(4, pods.Count(p => p.Metadata.DeletionTimestamp is null));
            Phase("the scaled RC converged under the standby");

            var clusterIp = (await client.CoreV1.ReadNamespacedServiceAsync("nginx-service-clusterip", "default")).Spec.ClusterIP;
            foreach (var node in state.Nodes)
                await LabE2ETests.PageAsync(new NetworkNamespace(node.Namespace).Path, $"{clusterIp}:8001", $"cluster IP from {node.Name}");
            Phase("the cluster IP answers from every node");
            var kubeDns = (await client.CoreV1.ReadNamespacedServiceAsync("kube-dns", "kube-system")).Spec.ClusterIP;
            foreach (var node in state.Nodes)
                await ResolvesAsync(new NetworkNamespace(node.Namespace).Path, kubeDns, "nginx-service-clusterip.default.svc.cluster.local", clusterIp);
            Phase("cluster DNS answers from every node through the surviving master");

            var down = await LabE2ETests.NavarchAsync(["down", "--data-dir", dataDir], TimeSpan.FromSeconds(60));
            downDone = true;
            Assert.True(down.ExitCode == 0, down.ToString());
            Phase("navarch down");
            Assert.Empty(state.LiveProcesses);
            Assert.Empty(LabE2ETests.LabProcessesOf(dataDir)); // etcd's command line names its data dir
            Assert.False(Directory.Exists(LabLayout.EtcdDir(dataDir)), "etcd's data is left");
            Assert.Empty(Directory.EnumerateFiles(NetworkNamespace.Directory, prefix + "-*"));
            Assert.True(clock.Elapsed < Bound, $"the HA lab test took {clock.Elapsed.TotalSeconds:0} s");
        }
        finally
        {
            if (!downDone) await LabE2ETests.NavarchAsync(["down", "--data-dir", dataDir], TimeSpan.FromSeconds(60));
            Directory.Delete(dataDir, recursive: true);
            Directory.Delete(Path.GetDirectoryName(configFile)!, recursive: true);
        }

        void Phase(string what) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,5:0.0}s] {what}");
    }

    private static async Task<IList<V1Pod>> RunningNginxAsync(Kubernetes client, int count, string phase)
    {
        IList<V1Pod> pods = [];
        await Poll.UntilAsync(phase, async () =>
        {
            pods = (await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "name=nginx")).Items;
            return pods.Count == count && pods.All(p => p.Status?.Phase == "Running");
        }, TimeSpan.FromSeconds(60), () => string.Join('\n', pods.Select(p => $"{p.Metadata.Name} {p.Spec.NodeName} {p.Status?.Phase}")));
        return pods;
    }

    private static async Task EndpointAddressesAsync(Kubernetes client, string ns, string name, string[] expected, string phase)
    {
        var addresses = Array.Empty<string>();
        await Poll.UntilAsync(phase, async () =>
        {
            var endpoints = await client.CoreV1.ReadNamespacedEndpointsAsync(name, ns);
            addresses = (endpoints.Subsets ?? []).SelectMany(s => s.Addresses ?? []).Select(a => a.Ip).Order(StringComparer.Ordinal).ToArray();
            return addresses.SequenceEqual(expected);
        }, TimeSpan.FromSeconds(40), () => string.Join(", ", addresses));
    }

    // dig from inside a node's namespace, through the node's service proxy to a live DNS server.
    private static async Task ResolvesAsync(string netns, string dnsIp, string name, string expected)
    {
        var last = "";
        await Poll.UntilAsync($"{name} from {netns}", async () =>
        {
            last = (await HostCommand.TryRunAsync("nsenter", ["--net=" + netns, "dig", "+short", "+time=2", "+tries=2", $"@{dnsIp}", name])).Stdout.Trim();
            return last == expected;
        }, TimeSpan.FromSeconds(30), () => last);
    }

    private static async Task<string> HolderAsync(Kubernetes client, string lease)
    {
        string? holder = null;
        await Poll.UntilAsync($"a holder of the {lease} lease", async () =>
        {
            try { holder = (await client.CoordinationV1.ReadNamespacedLeaseAsync(lease, "kube-system")).Spec?.HolderIdentity; }
            catch (k8s.Autorest.HttpOperationException) { holder = null; }
            return !string.IsNullOrEmpty(holder);
        }, TimeSpan.FromSeconds(30));
        return holder!;
    }
}
