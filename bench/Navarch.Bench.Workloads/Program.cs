using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using Navarch.Bench.Scheduler;
using Navarch.Bench.Workloads;

// Deployments on hollow nodes through a whole `navarch server` process (API, controller manager, scheduler), the
// nodes' kubelet played by this process (HollowKubelet). The baseline is an RC of the same size and pods in the same
// run: a Deployment of N replicas from create to all available against the RC's create to all ready (target: ≤ 1.2×
// its time); then a rolling update of the N pods from `set image` to complete (target: ≥ 300 pods replaced per
// second); the server's RSS after both.
// Usage: dotnet run -c Release --project bench/Navarch.Bench.Workloads [--replicas 5000] [--nodes N]
//        [--kubelet-workers NODES] [--phase-timeout 180] [--verbose]
var replicas = Option("--replicas", 5_000);
var nodeCount = Option("--nodes", Math.Max(10, (replicas * 5 / 2 + 109) / 110)); // 110 pods a node: room for the RC's, the Deployment's and the surge
var kubeletWorkers = Option("--kubelet-workers", nodeCount); // one lane a node, as each node has its kubelet
var phaseTimeout = TimeSpan.FromSeconds(Option("--phase-timeout", 180));
var warmUp = Math.Max(50, replicas / 10);
var verbose = args.Contains("--verbose"); // progress of every phase each second

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;
var rows = new List<Row>();

Console.WriteLine($"navarch workloads benchmark: Deployment vs RC of {replicas} replicas, rolling update, on {nodeCount} hollow nodes; " +
                  $"warm-up {warmUp}; {Environment.ProcessorCount} CPUs shared by the server and this process (hollow kubelet, {kubeletWorkers} lanes)");
try
{
    // No heartbeats from hollow nodes: keep the node lifecycle controller from declaring them dead mid-run.
    await using var server = await ServerUnderTest.StartAsync(["--node-monitor-grace-period-seconds", "3600"], ct);
    Step($"server pid {server.Pid} on {server.Url}, controller manager and scheduler included");
    using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
    using var http = new HttpClient();
    var workload = new Workload(client, clients: 32);
    await workload.CreateNodesAsync(0, nodeCount, ct);
    await using var kubelet = new HollowKubelet(client, kubeletWorkers);
    kubelet.Start();

    Step($"warm-up: RC and Deployment of {warmUp}, a rolling update, scaled to 0");
    await workload.CreateNamespaceAsync("warm", ct);
    await RunRcAsync("warm", warmUp);
    await RunDeploymentAsync("warm", warmUp);
    await RollAsync("warm", warmUp);
    await ScaleToZeroAsync("warm");

    await workload.CreateNamespaceAsync("bench", ct);
    var rc = await MeasureAsync($"RC of {replicas}: create to all ready (baseline)", replicas, null, () => RunRcAsync("bench", replicas));
    var down = await MeasureAsync($"RC scaled to 0: all {replicas} pods gone", replicas, null, () => ScaleToZeroAsync("bench"));
    var deployment = await MeasureAsync($"Deployment of {replicas}: create to all available", replicas, rc, () => RunDeploymentAsync("bench", replicas));
    var rollout = await MeasureAsync($"rolling update of {replicas}: set image to complete", replicas, rc, () => RollAsync("bench", replicas));
    var (rss, peak) = server.Memory();

    Print();
    const double MiB = 1024 * 1024;
    Console.WriteLine($"server RSS after both: {rss / MiB:0} MiB (peak {peak / MiB:0} MiB); hollow kubelet writes: {kubelet.Writes}");
    var ratio = deployment.Elapsed / rc.Elapsed;
    Console.WriteLine($"\ntarget Deployment <= 1.2x the RC's time: {ratio:0.00}x -> {(ratio <= 1.2 ? "PASS" : "FAIL")}");
    Console.WriteLine($"target rolling update >= 300 pods/s: {rollout.PerSecond:0} pods/s -> {(rollout.PerSecond >= 300 ? "PASS" : "FAIL")}");
    return ratio <= 1.2 && rollout.PerSecond >= 300 ? 0 : 1;

    async Task<Row> MeasureAsync(string name, int pods, Row? baseline, Func<Task> run)
    {
        Step(name);
        var requests = await RequestCounts.ReadAsync(http, server.Url, ct);
        var cpu = server.CpuSeconds();
        var clock = Stopwatch.StartNew();
        await run();
        var row = new Row(name, pods, clock.Elapsed, server.CpuSeconds() - cpu, server.Memory().Rss, baseline);
        rows.Add(row);
        Step($"  {row.Elapsed.TotalSeconds:0.0} s, {row.PerSecond:0} pods/s, server CPU {row.ServerCpu * 1000 / pods:0.0} ms a pod");
        Step($"  requests a pod: {RequestCounts.PerPod(requests, await RequestCounts.ReadAsync(http, server.Url, ct), pods)}");
        return row;
    }

    async Task RunRcAsync(string ns, int n)
    {
        await workload.CreateReplicationControllerAsync(ns, "rc", n, ct);
        await UntilAsync($"RC {ns}/rc: {n} ready", async () =>
        {
            var s = (await client.CoreV1.ReadNamespacedReplicationControllerAsync("rc", ns, cancellationToken: ct)).Status;
            return (s?.ReadyReplicas == n && s.AvailableReplicas == n, $"replicas {s?.Replicas} ready {s?.ReadyReplicas} available {s?.AvailableReplicas}; kubelet writes {kubelet.Writes} backlog {kubelet.Backlog}");
        });
    }

    async Task RunDeploymentAsync(string ns, int n)
    {
        await workload.CreateDeploymentAsync(ns, "web", n, ct);
        await UntilDeploymentCompleteAsync(ns, n);
    }

    async Task RollAsync(string ns, int n)
    {
        // What `kubectl set image deployment/web pause=...` sends.
        var patch = """{"spec":{"template":{"spec":{"containers":[{"name":"pause","image":"registry.k8s.io/pause:3.9"}]}}}}""";
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "web", ns, cancellationToken: ct);
        await UntilDeploymentCompleteAsync(ns, n);
    }

    // `kubectl rollout status`'s test: the controller saw the change, every replica updated and available, no old one left.
    async Task UntilDeploymentCompleteAsync(string ns, int n) =>
        await UntilAsync($"Deployment {ns}/web: {n} updated and available, no old pods", async () =>
        {
            var d = await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: ct);
            var s = d.Status;
            return (s?.ObservedGeneration >= d.Metadata.Generation && s.UpdatedReplicas == n && s.AvailableReplicas == n && s.Replicas == n,
                $"replicas {s?.Replicas} updated {s?.UpdatedReplicas} ready {s?.ReadyReplicas} available {s?.AvailableReplicas}; kubelet backlog {kubelet.Backlog}");
        });

    async Task ScaleToZeroAsync(string ns)
    {
        var zero = new V1Patch("""{"spec":{"replicas":0}}""", V1Patch.PatchType.MergePatch);
        await client.CoreV1.PatchNamespacedReplicationControllerAsync(zero, "rc", ns, cancellationToken: ct);
        if ((await client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: ct)).Items.Count > 0)
            await client.AppsV1.PatchNamespacedDeploymentAsync(zero, "web", ns, cancellationToken: ct);
        await UntilAsync($"no pods left in {ns}", async () =>
        {
            var left = (await client.CoreV1.ListNamespacedPodAsync(ns, limit: 1, cancellationToken: ct)).Items.Count;
            return (left == 0, $"{left} pods left");
        });
    }

    async Task UntilAsync(string phase, Func<Task<(bool Done, string State)>> probe)
    {
        var clock = Stopwatch.StartNew();
        var lastShown = -1L;
        while (true)
        {
            var (done, state) = await probe();
            if (done) return;
            if (verbose && clock.ElapsedMilliseconds / 1000 != lastShown) { lastShown = clock.ElapsedMilliseconds / 1000; Step($"    {phase}: {state}"); }
            if (clock.Elapsed > phaseTimeout) throw new TimeoutException($"{phase}: not done within {phaseTimeout.TotalSeconds:0} s ({state}):\n{server.OutputTail()}");
            await Task.Delay(50, ct);
        }
    }
}
catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
{
    Console.Error.WriteLine($"benchmark failed: {e}");
    Print();
    return 2;
}

void Print()
{
    const double MiB = 1024 * 1024;
    Console.WriteLine();
    Console.WriteLine($"{"phase",-58} {"pods",6} {"s",6} {"pods/s",7} {"x RC time",9} {"srv CPU s",9} {"srv RSS MiB",11}");
    foreach (var r in rows)
        Console.WriteLine($"{r.Name,-58} {r.Pods,6} {r.Elapsed.TotalSeconds,6:0.0} {r.PerSecond,7:0} {(r.Baseline is null ? "" : $"{r.Elapsed / r.Baseline.Elapsed:0.00}"),9} " +
                          $"{r.ServerCpu,9:0.0} {r.Rss / MiB,11:0}");
    Console.WriteLine("x RC time = this phase's time / the RC's create-to-ready time (same pods, same run). srv = the server process.");
}

void Step(string text) => Console.WriteLine($"  {DateTime.Now:HH:mm:ss} {text}");

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>One measured phase.</summary>
internal sealed record Row(string Name, int Pods, TimeSpan Elapsed, double ServerCpu, long Rss, Row? Baseline)
{
    public double PerSecond => Pods / Elapsed.TotalSeconds;
}
