using System.Diagnostics;
using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Navarch.Cri;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Agent.Tests.E2E;

/// <summary>
/// The issue's "must show", on a node of the test's own: a network namespace running <c>navarch server</c> and
/// <c>navarch agent --runtime containerd</c>; kubectl and the client talk to it from the test. One scenario in
/// phases, each bounded; the lab is torn down also when a phase fails, and the test checks nothing is left.
/// </summary>
[Trait("Category", "E2E")]
[Collection(Navarch.Agent.Tests.E2E.E2ECollection.Name)]
public sealed class AgentE2ETests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(40);
    // The agent's volume refresh period, shortened from upstream's minute so an edit shows within seconds.
    private static readonly string[] AgentArgs = ["--sync-frequency", "2s"];
    private AgentLab? _lab;
    private string _labNetns = "";
    private readonly CancellationTokenSource _deadline = new(TimeSpan.FromMinutes(4));

    private AgentLab Lab => _lab!;
    private IKubernetes Client => Lab.Client;
    private CancellationToken Ct => _deadline.Token;

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        _lab = await AgentLab.StartAsync(Ct, AgentArgs);
        _labNetns = Lab.Node.Netns.Name;
        output.WriteLine($"lab up in {clock.ElapsedMilliseconds} ms (server ready after {Lab.Node.ServerReadyAfter.TotalMilliseconds:0} ms), pod CIDR {Lab.PodCidr}");
    }

    public async Task DisposeAsync()
    {
        if (_lab is not null) await _lab.DisposeAsync();
        _deadline.Dispose();
    }

    [Fact]
    public async Task Agent_runs_real_pods_on_containerd()
    {
        // Started first: its back-off needs the longest wall time, checked at the end.
        await Client.CoreV1.CreateNamespacedPodAsync(CrashingPod(), "default", cancellationToken: Ct);

        var nginx = await SeedRcRunsWithPodIpsAsync();
        await NginxServesItsWelcomePageAsync(nginx[0]);
        await ServiceProxyReachesThePodsAsync();
        await KubectlLogsShowTheAccessLogAsync(nginx[0]);
        await KilledContainerIsRestartedAsync(nginx[1]);
        await DeletedPodLeavesNothingAsync(nginx[0]);
        await AgentRestartRestartsNothingAsync();
        await CrashingContainerBacksOffLongerEachTimeAsync();
        await FailingReadinessLeavesEndpointsAsync();
        await KubectlExecRunsCommandsAsync();
        await KubectlPortForwardReachesNginxAsync();
        await ChannelWebSocketPortForwardReachesNginxAsync();
        await KubectlRunAttachesToThePodAsync();
        await VolumesAreSharedAndRemovedWithThePodAsync();
        await ConfigMapEditReachesTheFileButNotTheEnvAsync();
        await MissingSecretHoldsThePodUntilCreatedAsync();

        await TeardownLeavesNothingAsync();
    }

    private async Task<IReadOnlyList<V1Pod>> SeedRcRunsWithPodIpsAsync()
    {
        var clock = Stopwatch.StartNew();
        var created = await Lab.Node.Kubectl.RunAsync(["create", "-f", Lab.Node.Kubectl.WriteFile("rc.yaml", Seed.NginxRc)]);
        Assert.True(created.ExitCode == 0, created.ToString());
        var latencies = new Dictionary<string, double>();
        IReadOnlyList<V1Pod> pods = [];
        await Poll.UntilAsync("the seed RC's 2 pods Running with pod IPs", async () =>
        {
            pods = (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "name=nginx", cancellationToken: Ct)).Items.ToList();
            foreach (var p in pods.Where(p => p.Status?.Phase == "Running")) latencies.TryAdd(p.Metadata.Name, clock.Elapsed.TotalMilliseconds);
            return pods.Count == 2 && pods.All(p => p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP));
        }, Phase, () => Describe(pods));
        output.WriteLine($"seed RC → Running (create to observed Running, through the API): {string.Join(", ", latencies.Values.Select(v => $"{v:0} ms"))}");
        var subnet = IPNetwork.Parse(Lab.PodCidr);
        Assert.All(pods, p => Assert.True(subnet.Contains(IPAddress.Parse(p.Status.PodIP)), $"{p.Status.PodIP} is not in {Lab.PodCidr}"));
        Assert.Equal(2, pods.Select(p => p.Status.PodIP).Distinct().Count());
        Assert.All(pods, p => Assert.Equal(Lab.Node.NodeIp.ToString(), p.Status.HostIP));
        return pods.OrderBy(p => p.Metadata.Name).ToList();
    }

    private async Task NginxServesItsWelcomePageAsync(V1Pod pod)
    {
        var page = await Lab.CurlAsync($"http://{pod.Status.PodIP}/");
        Assert.Contains("Welcome to nginx!", page);
    }

    /// <summary>
    /// The agent's service proxy (iptables mode by default): a NodePort service over the nginx pods answers on its
    /// cluster IP and on the node port from the node; its KUBE-SVC chain goes when the service does.
    /// </summary>
    private async Task ServiceProxyReachesThePodsAsync()
    {
        var service = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "nginx-proxied" },
            Spec = new V1ServiceSpec
            {
                Type = "NodePort",
                Selector = new Dictionary<string, string> { ["name"] = "nginx" },
                Ports = [new V1ServicePort { Port = 8080, TargetPort = 80, Protocol = "TCP" }],
            },
        }, "default", cancellationToken: Ct);
        var nodePort = service.Spec.Ports.Single().NodePort!.Value;
        await PageThroughAsync($"{service.Spec.ClusterIP}:8080", "the cluster IP");
        await PageThroughAsync($"{Lab.Node.NodeIp}:{nodePort}", "the node port");

        var nat = await Lab.Node.Netns.ExecAsync("iptables-save", "-t", "nat");
        var jump = System.Text.RegularExpressions.Regex.Match(nat,
            $"-A KUBE-SERVICES -d {service.Spec.ClusterIP}/32 -p tcp -m comment --comment \"default/nginx-proxied cluster IP\" -m tcp --dport 8080 -j (KUBE-SVC-[A-Z0-9]{{16}})");
        Assert.True(jump.Success, nat);
        var serviceChain = jump.Groups[1].Value;
        Assert.Contains($"-A KUBE-NODEPORTS -p tcp -m comment --comment \"default/nginx-proxied\" -m tcp --dport {nodePort} -j KUBE-EXT-", nat);
        Assert.Contains("-j DNAT --to-destination ", nat);

        await Client.CoreV1.DeleteNamespacedServiceAsync("nginx-proxied", "default", cancellationToken: Ct);
        var after = nat;
        await Poll.UntilAsync("the service's chains removed", async () =>
        {
            after = await Lab.Node.Netns.ExecAsync("iptables-save", "-t", "nat");
            return !after.Contains("default/nginx-proxied");
        }, TimeSpan.FromSeconds(15), () => after);
        Assert.DoesNotContain(serviceChain, after);
    }

    private async Task PageThroughAsync(string target, string what)
    {
        var last = "";
        await Poll.UntilAsync($"nginx's page through {what} ({target})", async () =>
        {
            try { last = await Lab.CurlAsync($"http://{target}/"); }
            catch (Exception e) when (e is not OperationCanceledException) { last = e.Message; }
            return last.Contains("Welcome to nginx!");
        }, TimeSpan.FromSeconds(20), () => last);
    }

    private async Task KubectlLogsShowTheAccessLogAsync(V1Pod pod)
    {
        KubectlResult logs = null!;
        await Poll.UntilAsync("kubectl logs shows the access log line", async () =>
        {
            logs = await Lab.Node.Kubectl.RunAsync("logs", pod.Metadata.Name);
            return logs.ExitCode == 0 && logs.Stdout.Contains("\"GET / HTTP/1.1\" 200");
        }, TimeSpan.FromSeconds(15), () => logs?.ToString() ?? "");
        var tail = await Lab.Node.Kubectl.RunAsync("logs", pod.Metadata.Name, "--tail", "1");
        Assert.Single(tail.Stdout.TrimEnd('\n').Split('\n'));
    }

    private async Task KilledContainerIsRestartedAsync(V1Pod pod)
    {
        var (_, containers) = await Lab.RuntimeObjectsOfAsync(pod.Metadata.Uid, Ct);
        var running = containers.Single(c => c.State == ContainerState.Running);
        var pid = await Lab.PidOfAsync(running.Id);
        Process.GetProcessById(pid).Kill();
        V1Pod now = pod;
        await Poll.UntilAsync("killed container restarted, restartCount 1", async () =>
        {
            now = await Client.CoreV1.ReadNamespacedPodAsync(pod.Metadata.Name, "default", cancellationToken: Ct);
            var s = now.Status?.ContainerStatuses?.SingleOrDefault();
            return s is { RestartCount: 1, State.Running: not null, Ready: true };
        }, Phase, () => Describe([now]));
        // Running means the process started; nginx binds its port a moment later.
        await PageThroughAsync(now.Status.PodIP, "the restarted container");
    }

    private async Task FailingReadinessLeavesEndpointsAsync()
    {
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, "default", cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedPodAsync(ReadinessPod(), "default", cancellationToken: Ct);
        V1Pod pod = null!;
        await Poll.UntilAsync("web pod Ready and in the Service's endpoints", async () =>
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync("web", "default", cancellationToken: Ct);
            return IsReady(pod) && (await EndpointIpsAsync()).Contains(pod.Status.PodIP);
        }, Phase, () => Describe([pod]));

        // Straight through CRI, so this phase does not depend on kubectl exec (checked on its own below).
        var (_, containers) = await Lab.RuntimeObjectsOfAsync(pod.Metadata.Uid, Ct);
        var removed = await Lab.Cri.ExecSyncAsync(containers.Single(c => c.State == ContainerState.Running).Id, ["rm", "/www/index.html"], TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(0, removed.ExitCode);
        await Poll.UntilAsync("web pod NotReady and out of the Service's endpoints", async () =>
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync("web", "default", cancellationToken: Ct);
            return !IsReady(pod) && pod.Status.Phase == "Running" && !(await EndpointIpsAsync()).Contains(pod.Status.PodIP);
        }, Phase, () => Describe([pod]));
        var events = await Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct);
        Assert.Contains(events.Items, e => e.Reason == "Unhealthy" && e.Message.StartsWith("Readiness probe failed: HTTP probe failed with statuscode: 404", StringComparison.Ordinal));
    }

    private async Task KubectlExecRunsCommandsAsync()
    {
        var hi = await Lab.Node.Kubectl.RunAsync("exec", "web", "--", "echo", "hi");
        Assert.True(hi.ExitCode == 0 && hi.Stdout == "hi\n", hi.ToString());
        var exit3 = await Lab.Node.Kubectl.RunAsync("exec", "web", "--", "sh", "-c", "exit 3");
        Assert.True(exit3.ExitCode == 3, exit3.ToString());
        // cat ends only when the end of kubectl's stdin reaches it (v5's close of channel 0, then SPDY's FIN to containerd).
        var piped = await Lab.Node.Kubectl.RunAsync(["exec", "-i", "web", "--", "cat"], stdin: "piped in\n");
        Assert.True(piped.ExitCode == 0 && piped.Stdout == "piped in\n", piped.ToString());
        await KubectlExecOnATerminalAsync();
        await KubectlCopiesAFileBothWaysAsync();

        // kubectl before 1.30 speaks SPDY/3.1 only; the server translates it to the agent's WebSocket exec.
        foreach (var version in new[] { "1.27", "1.28", "1.29" })
        {
            using var spdy = KubectlInTheNode($"/usr/lib/google-cloud-sdk/bin/kubectl.{version}");
            var spdyHi = await spdy.RunAsync("exec", "web", "--", "echo", "hi");
            Assert.True(spdyHi.ExitCode == 0 && spdyHi.Stdout == "hi\n", $"kubectl {version}: {spdyHi}");
            var spdyExit3 = await spdy.RunAsync("exec", "web", "--", "sh", "-c", "exit 3");
            Assert.True(spdyExit3.ExitCode == 3, $"kubectl {version}: {spdyExit3}");
            var spdyPiped = await spdy.RunAsync(["exec", "-i", "web", "--", "cat"], stdin: "piped in\n");
            Assert.True(spdyPiped.ExitCode == 0 && spdyPiped.Stdout == "piped in\n", $"kubectl {version}: {spdyPiped}");
        }
    }

    /// <summary>
    /// <c>kubectl cp</c> is tar over exec's stdin and stdout: a 1 MiB file into the pod and back arrives whole
    /// (many frames through the WebSocket, the agent and containerd's SPDY, which has no flow control).
    /// </summary>
    private async Task KubectlCopiesAFileBothWaysAsync()
    {
        var data = new byte[1 << 20];
        new Random(42).NextBytes(data);
        var local = Lab.Node.Kubectl.WriteFile("payload.bin", "");
        await File.WriteAllBytesAsync(local, data, Ct);
        var into = await Lab.Node.Kubectl.RunAsync("cp", local, "web:/tmp/payload.bin");
        Assert.True(into.ExitCode == 0, into.ToString());
        var back = Path.Combine(Lab.Node.Kubectl.WorkDir, "payload.back");
        var from = await Lab.Node.Kubectl.RunAsync("cp", "web:/tmp/payload.bin", back);
        Assert.True(from.ExitCode == 0, from.ToString());
        Assert.Equal(data, await File.ReadAllBytesAsync(back, Ct));
    }

    /// <summary>
    /// <c>kubectl exec -it</c> on a pseudo-terminal of script(1), sized 100×30: the command sees a terminal of that
    /// size (the resize reached it), and its exit code comes back.
    /// </summary>
    private async Task KubectlExecOnATerminalAsync()
    {
        // kubectl sends the size while the command starts, as upstream's does: wait for it to land (bounded).
        const string TerminalSizeScript = "tty; for i in 1 2 3 4 5 6 7 8 9 10; do stty size 2>/dev/null | grep -v \"^0 0\" && break; sleep 0.3; done; exit 5";
        var kubectl = $"{Lab.Node.KubectlScript} -s {Lab.Node.ServerUrl} --cache-dir {Path.Combine(Lab.Node.Kubectl.WorkDir, "cache")}";
        var psi = new ProcessStartInfo("script")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["HOME"] = Lab.Node.Kubectl.WorkDir;
        foreach (var a in new[] { "-qec", $"stty cols 100 rows 30; {kubectl} exec -it web -- sh -c '{TerminalSizeScript}'", "/dev/null" }) psi.ArgumentList.Add(a);
        using var script = Process.Start(psi)!;
        var stdout = script.StandardOutput.ReadToEndAsync(Ct);
        var stderr = script.StandardError.ReadToEndAsync(Ct);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await script.WaitForExitAsync(bound.Token);
        }
        finally
        {
            if (!script.HasExited) script.Kill(entireProcessTree: true);
        }
        var result = new KubectlResult(script.ExitCode, await stdout, await stderr);
        Assert.True(result.ExitCode == 5 && result.Stdout.Contains("/dev/pts/", StringComparison.Ordinal) && result.Stdout.Contains("30 100", StringComparison.Ordinal), result.ToString());
    }

    /// <summary>
    /// <c>kubectl run -i --rm</c>: the pod starts with stdin open, kubectl attaches (pods/attach, CRI Attach) and feeds
    /// it a line, the container answers and exits, and kubectl deletes the pod; with kubectl 1.32 (WebSocket) and
    /// 1.29 (SPDY).
    /// </summary>
    private async Task KubectlRunAttachesToThePodAsync()
    {
        foreach (var (binary, name) in new[] { (Kubectl.Default, "attach-ws"), ("/usr/lib/google-cloud-sdk/bin/kubectl.1.29", "attach-spdy") })
        {
            using var kubectl = KubectlInTheNode(binary);
            var run = await kubectl.RunAsync(["run", name, "-i", "--rm", "--restart=Never", "--image=busybox", "--", "sh", "-c", "read line; echo got-$line"],
                stdin: "hello\n", timeout: TimeSpan.FromSeconds(60));
            Assert.True(run.ExitCode == 0 && run.Stdout.Contains("got-hello", StringComparison.Ordinal) && run.Stdout.Contains($"pod \"{name}\" deleted", StringComparison.Ordinal),
                $"{binary}: {run}");
        }
    }

    /// <summary>
    /// Two containers share an emptyDir (one writes, the other reads through a read-only subPath-free mount), one also
    /// writes into a hostPath it had created; the emptyDir goes with the pod, the hostPath stays.
    /// </summary>
    private async Task VolumesAreSharedAndRemovedWithThePodAsync()
    {
        var hostDir = Path.Combine(Lab.Node.DataDir, "host-volume");
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "volumes" },
            Spec = new V1PodSpec
            {
                TerminationGracePeriodSeconds = 1,
                Volumes =
                [
                    new V1Volume { Name = "shared", EmptyDir = new V1EmptyDirVolumeSource() },
                    new V1Volume { Name = "host", HostPath = new V1HostPathVolumeSource { Path = hostDir, Type = "DirectoryOrCreate" } },
                ],
                Containers =
                [
                    new V1Container
                    {
                        Name = "writer", Image = "busybox", Command = ["sh", "-c", "echo from-writer > /data/f; echo on-host > /host/f; exec sleep 3600"],
                        VolumeMounts = [new V1VolumeMount { Name = "shared", MountPath = "/data" }, new V1VolumeMount { Name = "host", MountPath = "/host" }],
                    },
                    new V1Container
                    {
                        Name = "reader", Image = "busybox", Command = ["sleep", "3600"],
                        VolumeMounts = [new V1VolumeMount { Name = "shared", MountPath = "/data", ReadOnlyProperty = true }],
                    },
                ],
            },
        }, "default", cancellationToken: Ct);
        await Poll.UntilAsync("the volumes pod Running", async () =>
            (await Client.CoreV1.ReadNamespacedPodAsync("volumes", "default", cancellationToken: Ct)).Status?.Phase == "Running", Phase);
        var emptyDir = Path.Combine(Lab.Node.AgentDataDir, "pod-volumes", pod.Metadata.Uid, "kubernetes.io~empty-dir", "shared");

        KubectlResult read = null!;
        await Poll.UntilAsync("the reader sees the writer's file", async () =>
        {
            read = await Lab.Node.Kubectl.RunAsync("exec", "volumes", "-c", "reader", "--", "cat", "/data/f");
            return read.ExitCode == 0;
        }, Phase, () => read.ToString());
        Assert.Equal("from-writer\n", read.Stdout);
        var readOnly = await Lab.Node.Kubectl.RunAsync("exec", "volumes", "-c", "reader", "--", "touch", "/data/g");
        Assert.True(readOnly.ExitCode != 0 && readOnly.Stderr.Contains("Read-only file system", StringComparison.Ordinal), readOnly.ToString());
        Assert.Equal("on-host\n", File.ReadAllText(Path.Combine(hostDir, "f")));
        Assert.True(File.Exists(Path.Combine(emptyDir, "f")));

        await Client.CoreV1.DeleteNamespacedPodAsync("volumes", "default", cancellationToken: Ct);
        await Poll.UntilAsync("the pod's emptyDir removed with it", () => Task.FromResult(!Directory.Exists(emptyDir)), Phase);
        Assert.True(File.Exists(Path.Combine(hostDir, "f")));
    }

    /// <summary>
    /// A ConfigMap as an env var and as a volume file: after an edit, <c>cat</c> in the container shows the new value
    /// within the agent's sync period (the file is a symlink through <c>..data</c>), while the env var keeps the old.
    /// </summary>
    private async Task ConfigMapEditReachesTheFileButNotTheEnvAsync()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "app-config" },
            Data = new Dictionary<string, string> { ["color"] = "blue" },
        }, "default", cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "cfg-reader" },
            Spec = new V1PodSpec
            {
                TerminationGracePeriodSeconds = 1,
                Volumes = [new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = "app-config" } }],
                Containers =
                [
                    new V1Container
                    {
                        Name = "c", Image = "busybox", Command = ["sleep", "3600"],
                        Env = [new V1EnvVar { Name = "COLOR", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "app-config", Key = "color" } } }],
                        VolumeMounts = [new V1VolumeMount { Name = "config", MountPath = "/etc/app" }],
                    },
                ],
            },
        }, "default", cancellationToken: Ct);
        await Poll.UntilAsync("the cfg-reader pod Running", async () =>
            (await Client.CoreV1.ReadNamespacedPodAsync("cfg-reader", "default", cancellationToken: Ct)).Status?.Phase == "Running", Phase);
        Assert.Equal("blue", (await ExecAsync("cfg-reader", "cat", "/etc/app/color")).Stdout);
        Assert.Equal("blue\n", (await ExecAsync("cfg-reader", "sh", "-c", "echo $COLOR")).Stdout);
        Assert.Equal("..data/color\n", (await ExecAsync("cfg-reader", "readlink", "/etc/app/color")).Stdout);

        var clock = Stopwatch.StartNew();
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"color":"green"}}""", V1Patch.PatchType.MergePatch), "app-config", "default", cancellationToken: Ct);
        KubectlResult seen = null!;
        await Poll.UntilAsync("the edited ConfigMap's value in the running container's file", async () =>
        {
            seen = await ExecAsync("cfg-reader", "cat", "/etc/app/color");
            return seen.Stdout == "green";
        }, TimeSpan.FromSeconds(20), () => seen.ToString());
        output.WriteLine($"ConfigMap edit → file changed in the container: {clock.ElapsedMilliseconds} ms (--sync-frequency 2s)");
        Assert.Equal("blue\n", (await ExecAsync("cfg-reader", "sh", "-c", "echo $COLOR")).Stdout);
        await Client.CoreV1.DeleteNamespacedPodAsync("cfg-reader", "default", cancellationToken: Ct);
    }

    /// <summary>A pod whose Secret volume names a missing Secret waits in ContainerCreating with a FailedMount event and starts once it exists.</summary>
    private async Task MissingSecretHoldsThePodUntilCreatedAsync()
    {
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "secret-reader" },
            Spec = new V1PodSpec
            {
                TerminationGracePeriodSeconds = 1,
                Volumes = [new V1Volume { Name = "creds", Secret = new V1SecretVolumeSource { SecretName = "db-creds", DefaultMode = 0b100_000_000 } }],
                Containers = [new V1Container { Name = "c", Image = "busybox", Command = ["sleep", "3600"], VolumeMounts = [new V1VolumeMount { Name = "creds", MountPath = "/etc/creds" }] }],
            },
        }, "default", cancellationToken: Ct);
        V1Pod pod = null!;
        IList<Corev1Event> events = [];
        await Poll.UntilAsync("secret-reader waiting in ContainerCreating with a FailedMount event", async () =>
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync("secret-reader", "default", cancellationToken: Ct);
            events = (await Client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=secret-reader", cancellationToken: Ct)).Items;
            return pod.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "ContainerCreating"
                && events.Any(e => e.Reason == "FailedMount" && e.Message == "MountVolume.SetUp failed for volume \"creds\" : secret \"db-creds\" not found");
        }, Phase, () => Describe([pod]) + "\n" + string.Join("\n", events.Select(e => $"{e.Reason}: {e.Message}")));

        var clock = Stopwatch.StartNew();
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "db-creds" },
            StringData = new Dictionary<string, string> { ["password"] = "hunter2" },
        }, "default", cancellationToken: Ct);
        await Poll.UntilAsync("secret-reader Running once its Secret exists", async () =>
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync("secret-reader", "default", cancellationToken: Ct);
            return pod.Status?.Phase == "Running";
        }, Phase, () => Describe([pod]));
        output.WriteLine($"Secret created → pod Running: {clock.ElapsedMilliseconds} ms");
        Assert.Equal("hunter2", (await ExecAsync("secret-reader", "cat", "/etc/creds/password")).Stdout);
        Assert.StartsWith("-r-------- ", (await ExecAsync("secret-reader", "ls", "-lL", "/etc/creds/password")).Stdout);
        await Client.CoreV1.DeleteNamespacedPodAsync("secret-reader", "default", cancellationToken: Ct);
    }

    private async Task<KubectlResult> ExecAsync(string pod, params string[] command)
    {
        var result = await Lab.Node.Kubectl.RunAsync(["exec", pod, "--", .. command]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>Kills a streaming kubectl and returns what it said on stderr.</summary>
    private static async Task<string> StopAsync(Process kubectl)
    {
        if (!kubectl.HasExited) kubectl.Kill(entireProcessTree: true);
        await kubectl.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        return await kubectl.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    /// <summary>Another kubectl binary, run in the node's namespace like the lab's own.</summary>
    private Kubectl KubectlInTheNode(string binary)
    {
        var script = Lab.Node.Kubectl.WriteFile($"kubectl-{Path.GetFileName(binary)}", File.ReadAllText(Lab.Node.KubectlScript).Replace(Kubectl.Default, binary));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new Kubectl(Lab.Node.ServerUrl, script);
    }

    /// <summary>
    /// Port forwarding as the Python and JavaScript clients do it (a <c>v4.channel.k8s.io</c> WebSocket, which the API
    /// server turns into containerd's SPDY streams): an HTTP/1.0 request on the data channel gets the welcome page,
    /// and nginx closing the connection ends the port and so the WebSocket.
    /// </summary>
    private async Task ChannelWebSocketPortForwardReachesNginxAsync()
    {
        var pods = (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "name=nginx", cancellationToken: Ct)).Items;
        var pod = pods.First(p => p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp is null);
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.AddSubProtocol("v4.channel.k8s.io");
        using var invoker = new HttpMessageInvoker(LabSockets.Handler(Lab.Node.Netns.Path));
        var url = new Uri($"{Lab.Node.ServerUrl.Replace("http://", "ws://")}/api/v1/namespaces/default/pods/{pod.Metadata.Name}/portforward?ports=80");
        await socket.ConnectAsync(url, invoker, Ct);
        await socket.SendAsync((byte[])[0, .. "GET / HTTP/1.0\r\nHost: nginx\r\n\r\n"u8], System.Net.WebSockets.WebSocketMessageType.Binary, true, Ct);

        var channels = new Dictionary<int, MemoryStream> { [0] = new(), [1] = new() };
        var buffer = new byte[64 * 1024];
        var channel = -1;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            System.Net.WebSockets.WebSocketReceiveResult r;
            try
            {
                r = await socket.ReceiveAsync(buffer, deadline.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                throw new TimeoutException($"the port-forward WebSocket did not close within 30 s; data so far: {Encoding.UTF8.GetString(channels[0].ToArray())}");
            }
            if (r.MessageType == System.Net.WebSockets.WebSocketMessageType.Close) break;
            var data = buffer.AsMemory(0, r.Count);
            if (channel < 0)
            {
                channel = data.Span[0];
                data = data[1..];
            }
            channels[channel].Write(data.Span);
            if (r.EndOfMessage) channel = -1;
        }
        var page = Encoding.UTF8.GetString(channels[0].ToArray());
        Assert.True(page.StartsWith("P\0HTTP/1.1 200 OK", StringComparison.Ordinal) && page.Contains("Welcome to nginx!", StringComparison.Ordinal),
            $"data channel: {page}\nerror channel: {Encoding.UTF8.GetString(channels[1].ToArray())}");
        Assert.Equal([80, 0], channels[1].ToArray());
    }

    /// <summary>
    /// <c>kubectl port-forward</c> to an nginx pod, listening on the node's loopback (kubectl runs in the node's
    /// namespace): kubectl 1.32 tunnels SPDY through a WebSocket, 1.29 speaks SPDY itself; both reach the welcome page.
    /// </summary>
    private async Task KubectlPortForwardReachesNginxAsync()
    {
        var pods = (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "name=nginx", cancellationToken: Ct)).Items;
        var pod = pods.First(p => p.Status?.Phase == "Running" && p.Metadata.DeletionTimestamp is null);
        foreach (var (binary, port) in new[] { (Kubectl.Default, 18080), ("/usr/lib/google-cloud-sdk/bin/kubectl.1.29", 18081) })
        {
            using var kubectl = KubectlInTheNode(binary);
            using var forward = kubectl.StartStreaming("port-forward", $"pod/{pod.Metadata.Name}", $"{port}:80");
            try
            {
                var ready = await forward.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(20), Ct);
                Assert.True(ready?.StartsWith($"Forwarding from 127.0.0.1:{port} -> 80", StringComparison.Ordinal) == true,
                    $"{binary}: {ready}\n{(forward.HasExited ? await forward.StandardError.ReadToEndAsync(Ct) : "")}");
                // Twice: each connection is a new pair of streams in the same SPDY session.
                for (var i = 0; i < 2; i++)
                {
                    string page;
                    try
                    {
                        page = await Lab.CurlAsync($"http://127.0.0.1:{port}/");
                    }
                    catch (InvalidOperationException e)
                    {
                        page = e.Message;
                    }
                    if (!page.Contains("Welcome to nginx!", StringComparison.Ordinal))
                        Assert.Fail($"{binary}: {page}\n--- kubectl\n{await StopAsync(forward)}\n--- server\n{Lab.Node.Server.Output}");
                }
            }
            finally
            {
                await StopAsync(forward);
            }
        }
    }

    private async Task DeletedPodLeavesNothingAsync(V1Pod pod)
    {
        var grace = TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30);
        var clock = Stopwatch.StartNew();
        await Client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, "default", cancellationToken: Ct);
        await Poll.UntilAsync("deleted pod's containers and sandbox gone, object deleted", async () =>
        {
            var (sandboxes, containers) = await Lab.RuntimeObjectsOfAsync(pod.Metadata.Uid, Ct);
            var left = (await Client.CoreV1.ListNamespacedPodAsync("default", fieldSelector: $"metadata.name={pod.Metadata.Name}", cancellationToken: Ct)).Items;
            return sandboxes.Count == 0 && containers.Count == 0 && left.All(p => p.Metadata.Uid != pod.Metadata.Uid);
        }, grace + TimeSpan.FromSeconds(5));
        output.WriteLine($"pod deletion → sandbox and containers gone, object deleted: {clock.ElapsedMilliseconds} ms (grace {grace.TotalSeconds} s)");
    }

    private async Task AgentRestartRestartsNothingAsync()
    {
        IList<V1Pod> pods = [];
        await Poll.UntilAsync("the RC's replacement pod Running before the agent restarts", async () =>
        {
            pods = (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "name=nginx", cancellationToken: Ct)).Items;
            return pods.Count == 2 && pods.All(p => p.Status?.Phase == "Running" && p.Status.ContainerStatuses?.All(c => c.State?.Running is not null) == true);
        }, Phase, () => Describe(pods));
        var before = await RunningContainersAsync();
        await Lab.Node.Agent!.StopAsync(TimeSpan.FromSeconds(20));
        var clock = Stopwatch.StartNew();
        Lab.Node.StartAgent(["--runtime", "containerd", .. AgentArgs]);
        // Heartbeat written again by the new agent: it has synced.
        await Poll.UntilAsync("restarted agent renews the node lease", async () =>
        {
            var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync(Lab.Node.NodeName, "kube-node-lease", cancellationToken: Ct);
            return lease.Spec.RenewTime > DateTime.UtcNow.AddSeconds(-2) && clock.Elapsed > TimeSpan.FromSeconds(3);
        }, Phase, () => AgentLab.AgentOutput(Lab.Node));
        var after = await RunningContainersAsync();
        Assert.Equal(before, after);
    }

    private async Task<Dictionary<string, (string Id, int Restarts)>> RunningContainersAsync()
    {
        var pods = (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "name=nginx", cancellationToken: Ct)).Items;
        return pods.SelectMany(p => (p.Status?.ContainerStatuses ?? []).Select(c => (Key: $"{p.Metadata.Name}/{c.Name}", c.ContainerID, c.RestartCount)))
            .ToDictionary(x => x.Key, x => (x.ContainerID ?? "", x.RestartCount));
    }

    private async Task CrashingContainerBacksOffLongerEachTimeAsync()
    {
        // The waiting message names the current delay, as upstream's does: "back-off 20s restarting failed container=…".
        V1Pod pod = null!;
        var delays = new List<string>();
        await Poll.UntilAsync("crashing container in CrashLoopBackOff with a growing delay", async () =>
        {
            pod = await Client.CoreV1.ReadNamespacedPodAsync("crash", "default", cancellationToken: Ct);
            var waiting = pod.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting;
            if (waiting?.Reason == "CrashLoopBackOff" && waiting.Message?.Split(' ') is [_, var delay, ..] && (delays.Count == 0 || delays[^1] != delay))
                delays.Add(delay);
            return delays.Select(BackOffSeconds).Zip(delays.Skip(1).Select(BackOffSeconds), (a, b) => b > a).Any(grew => grew);
        }, TimeSpan.FromSeconds(70), () => $"delays seen: {string.Join(", ", delays)}\n{Describe([pod])}");
        output.WriteLine($"crash loop back-off delays seen: {string.Join(", ", delays)}, restartCount {pod.Status.ContainerStatuses.Single().RestartCount}");
        var events = (await Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct)).Items;
        Assert.Contains(events, e => e.InvolvedObject?.Name == "crash" && e.Reason == "BackOff");
    }

    private static double BackOffSeconds(string goDuration) =>
        goDuration.EndsWith("m0s", StringComparison.Ordinal) ? double.Parse(goDuration[..^3]) * 60
        : goDuration.EndsWith('s') && double.TryParse(goDuration[..^1], out var s) ? s : double.NaN;

    private async Task TeardownLeavesNothingAsync()
    {
        var sandboxIds = Lab.SandboxIds;
        var containerdBase = Lab.Containerd.BaseDir;
        await Lab.DisposeAsync();
        Assert.False(NetNs.Exists(_labNetns), "the lab namespace is still in /run/netns");
        var ours = Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _))
            .Where(pid => { try { return File.ReadAllText($"/proc/{pid}/cmdline").Contains(containerdBase); } catch (IOException) { return false; } })
            .ToList();
        Assert.True(ours.Count == 0, $"processes of the test still run: {string.Join(", ", ours)}");
        var results = Directory.Exists("/var/lib/cni/results") ? Directory.GetFiles("/var/lib/cni/results") : [];
        Assert.DoesNotContain(results, f => sandboxIds.Any(id => f.Contains(id)));
    }

    private async Task<HashSet<string>> EndpointIpsAsync()
    {
        try
        {
            var ep = await Client.CoreV1.ReadNamespacedEndpointsAsync("web", "default", cancellationToken: Ct);
            return (ep.Subsets ?? []).SelectMany(s => s.Addresses ?? []).Select(a => a.Ip).ToHashSet();
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    private static bool IsReady(V1Pod? pod) => pod?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static V1Pod CrashingPod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "crash" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "crash", Image = "busybox", Command = ["sh", "-c", "echo dying; exit 1"] }] },
    };

    private static V1Pod ReadinessPod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
        Spec = new V1PodSpec
        {
            TerminationGracePeriodSeconds = 2,
            Containers =
            [
                new V1Container
                {
                    Name = "web", Image = "busybox",
                    Command = ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 80 -h /www"],
                    Ports = [new V1ContainerPort { ContainerPort = 80, Name = "http" }],
                    ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/index.html", Port = "http" }, PeriodSeconds = 1, FailureThreshold = 1 },
                },
            ],
        },
    };

    private static string Describe(IEnumerable<V1Pod?> pods) =>
        string.Join("\n", pods.Where(p => p is not null).Select(p => k8s.KubernetesJson.Serialize(p!.Status)));
}
