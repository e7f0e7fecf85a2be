using System.Diagnostics;
using System.Globalization;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Bench.Scheduler;
using Navarch.Client.Informers;
using Navarch.Controllers;
using Navarch.Controllers.ReplicationManager;
using Navarch.Scheduler;

// Scheduler throughput through a real API server: a `navarch server` process (API only) and, in this process,
// the scheduler (and, for the RC phase, the replication manager) talking to it over HTTP like any client.
// For each cluster size, the baseline is the API's ceiling for the same pods: create each pod and POST its binding
// at once, round-robin, no decision at all. The scheduler's rate is reported as a ratio to it.
// Usage: dotnet run -c Release --project bench/Navarch.Bench.Scheduler [--pods 10000] [--nodes 1000,5000]
//        [--rc-replicas 5000] [--clients 32] [--bind-parallelism 16]
var podCount = Option("--pods", 10_000);
var nodeCounts = (OptionText("--nodes") ?? "1000,5000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
var rcReplicas = Option("--rc-replicas", 5_000);
var clients = Option("--clients", 32);
var bindParallelism = Option("--bind-parallelism", 16);
var phaseCap = TimeSpan.FromSeconds(45); // no phase waits longer for its pods, whatever the counts

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
var ct = cancel.Token;
var rows = new List<Row>();
var self = Process.GetCurrentProcess();

Console.WriteLine($"navarch scheduler benchmark: {podCount} pods on {string.Join(" then ", nodeCounts)} hollow nodes, RC of {rcReplicas}; " +
                  $"{clients} client workers, {bindParallelism} binds in flight; {Environment.ProcessorCount} CPUs shared by server, scheduler and load");
try
{
    await using var server = await ServerUnderTest.StartAsync(ct);
    Step($"server pid {server.Pid} on {server.Url} (--disable-controller-manager --disable-scheduler); scheduler runs in this process (pid {Environment.ProcessId})");
    using var client = NewClient(server.Url);
    using var schedulerClient = NewClient(server.Url);
    var workload = new Workload(client, clients);
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    var scheduler = SchedulerHost.RunAsync(schedulerClient, new SchedulerOptions { BindParallelism = bindParallelism }, TimeProvider.System, NullLoggerFactory.Instance, stop.Token);

    var nodes = 0;
    foreach (var target in nodeCounts)
    {
        Step($"create nodes {nodes}..{target - 1}");
        var clock = Stopwatch.StartNew();
        await workload.CreateNodesAsync(nodes, target, ct);
        Step($"  {target - nodes} nodes in {clock.Elapsed.TotalSeconds:0.0} s");
        nodes = target;
        var n = nodes;
        var baseline = await MeasureAsync($"{n} nodes: create+bind, no decision (API ceiling)", $"base-{n}", podCount, null,
            ns => workload.CreateAndBindPodsAsync(ns, podCount, n, ct));
        await MeasureAsync($"{n} nodes: create, scheduler binds", $"sched-{n}", podCount, baseline,
            ns => workload.CreatePodsAsync(ns, podCount, ct));
        if (scheduler.IsFaulted) throw new InvalidOperationException("the scheduler stopped", scheduler.Exception);
    }

    if (rcReplicas > 0)
    {
        Step("start the replication manager in this process");
        using var rcClient = NewClient(server.Url);
        var informers = new SharedInformers(rcClient);
        var context = new ControllerContext(rcClient, informers, new ControllerManagerOptions(), TimeProvider.System, NullLoggerFactory.Instance);
        var manager = new Navarch.Controllers.ReplicaSet.ReplicaSetController(context,
            new Navarch.Controllers.ReplicationManager.ReplicationControllerKind(rcClient, informers.ReplicationControllers));
        await informers.StartAsync(stop.Token);
        var managing = manager.RunAsync(stop.Token);
        await Task.WhenAll(informers.Pods.WaitForSyncAsync(ct), informers.ReplicationControllers.WaitForSyncAsync(ct));
        await MeasureAsync($"{nodes} nodes: RC of {rcReplicas}, create to all bound", "rc", rcReplicas, rows.LastOrDefault(r => r.Baseline is null),
            ns => workload.CreateReplicationControllerAsync(ns, "bench", rcReplicas, ct));
        if (managing.IsFaulted) throw new InvalidOperationException("the replication manager stopped", managing.Exception);
    }
    stop.Cancel();
    try { await scheduler; } catch (OperationCanceledException) { }

    Step($"decisions only, in process, no API: {nodeCounts[^1]} nodes holding {podCount * 3} pods, {podCount} pods of one controller");
    var decisions = DecisionRate.Measure(nodeCounts[^1], podCount * 3, podCount);

    Print();
    Console.WriteLine($"scheduling cycle alone (filter+score+assume, spreading on, one thread): {decisions:0} pods/s on {nodeCounts[^1]} nodes");
    var target5000 = rows.LastOrDefault(r => r.Name.Contains("scheduler binds", StringComparison.Ordinal));
    if (target5000 is not null)
        Console.WriteLine($"\ntarget >= 1000 pods/s ({target5000.Name}): {target5000.PerSecond:0} pods/s -> {(target5000.PerSecond >= 1000 ? "PASS" : "FAIL")}");
    return 0;

    async Task<Row> MeasureAsync(string name, string ns, int expected, Row? baseline, Func<string, Task> drive)
    {
        Step(name);
        await workload.CreateNamespaceAsync(ns, ct);
        await using var watch = await BoundWatch.StartAsync(client, ns, expected, ct);
        var serverCpu = server.CpuSeconds();
        var selfCpu = self.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        var driving = drive(ns);
        var end = await watch.AllBoundAsync(phaseCap);
        await driving;
        self.Refresh();
        var row = new Row(name, expected, Stopwatch.GetElapsedTime(start, end), server.CpuSeconds() - serverCpu,
            (self.TotalProcessorTime - selfCpu).TotalSeconds, server.Memory(), baseline);
        rows.Add(row);
        Step($"  {row.PerSecond:0} pods/s");
        return row;
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
    Console.WriteLine($"{"phase",-52} {"pods",6} {"s",6} {"pods/s",7} {"ratio",6} {"srv CPU s",9} {"srv CPU/1k",10} {"srv RSS MiB",11} {"peak",6} {"bench CPU s",11}");
    foreach (var r in rows)
        Console.WriteLine($"{r.Name,-52} {r.Pods,6} {r.Elapsed.TotalSeconds,6:0.0} {r.PerSecond,7:0} {(r.Baseline is null ? "1.00" : $"{r.PerSecond / r.Baseline.PerSecond:0.00}"),6} " +
                          $"{r.ServerCpu,9:0.0} {r.ServerCpu * 1000 / r.Pods,10:0.00} {r.Memory.Rss / MiB,11:0} {r.Memory.Peak / MiB,6:0} {r.BenchCpu,11:0.0}");
    Console.WriteLine("ratio = pods/s / the API ceiling at the same node count (for the RC: / the last ceiling measured). " +
                      "srv = the API server process; bench = this process: scheduler, RC manager, load and watch.");
}

static IKubernetes NewClient(string url) => new Kubernetes(new KubernetesClientConfiguration { Host = url });

void Step(string text) => Console.WriteLine($"  {DateTime.Now:HH:mm:ss} {text}");

int Option(string name, int fallback) => OptionText(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

/// <summary>One measured phase.</summary>
internal sealed record Row(string Name, int Pods, TimeSpan Elapsed, double ServerCpu, double BenchCpu, (long Rss, long Peak) Memory, Row? Baseline)
{
    public double PerSecond => Pods / Elapsed.TotalSeconds;
}
