using System.Globalization;
using System.Runtime.InteropServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Net.Client;
using Navarch.Bench;
using Navarch.Bench.Api;
using Navarch.Bench.Etcd;
using Navarch.Testing;

// The API server on etcd beside the same server on SQLite, in one run, against raw etcd puts through the gRPC client of
// dotnet-etcd (the library the etcd store uses) as the baseline; then the leader failover of two servers on that etcd.
// The benchmark starts its own etcd on loopback in a temporary directory and kills it at the end, also on failure.
// Usage: dotnet run -c Release --project bench/Navarch.Bench.Etcd [--clients 50] [--pods 5000] [--single 1000] [--kills 10]
var clients = Option("--clients", 50);
var podCount = Option("--pods", 5_000);
var singleCount = Option("--single", 1_000);
var kills = Option("--kills", 10);
const string Ns = "bench", WarmNs = "bench-warmup";
var phaseCap = TimeSpan.FromSeconds(30); // no load phase runs longer, whatever the counts

using var cancel = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
var ct = cancel.Token;
var report = new Report();

Console.WriteLine($"navarch etcd benchmark: {clients} clients, {podCount} pods, {singleCount} single-client creates, {kills} leader kills, " +
    $"{Environment.ProcessorCount} CPUs shared by client, server and etcd; load average before the run {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
try
{
    await using var etcd = await EtcdCluster.StartAsync();
    Step($"etcd on {etcd.ServersFlag}");
    var sqlite = await ApiCreatesAsync("sqlite", [], null);
    var onEtcd = await ApiCreatesAsync("etcd", ["--storage-backend", "etcd", "--etcd-servers", etcd.ServersFlag, "--etcd-prefix", "/bench-api"], etcd);
    var (rawMany, rawOne, rawCpu) = await RawPutsAsync(etcd, onEtcd.ValueSize);

    Step($"leader failover: two servers on etcd, {kills} kills of the leading one");
    List<Failover> failovers;
    await using (var pair = new LeaderFailover(["--storage-backend", "etcd", "--etcd-servers", etcd.ServersFlag, "--etcd-prefix", "/bench-failover"]))
        failovers = await pair.RunAsync(kills, Step, ct);
    var afterExpiry = failovers.Select(f => f.AfterExpiry.TotalMilliseconds).Order().ToArray();
    var afterKill = failovers.Select(f => f.AfterKill.TotalMilliseconds).Order().ToArray();
    report.Add(new Row($"failover: lease expiry -> standby acting", failovers.Count, double.NaN, LoadRun.Percentile(afterExpiry, 0.5), afterExpiry[^1],
        "p99 column = max; the standby tries every 1.5-1.8 s (retry period, jittered)"));
    report.Add(new Row($"failover: kill -> standby acting", failovers.Count, double.NaN, LoadRun.Percentile(afterKill, 0.5), afterKill[^1],
        "p99 column = max; includes the 10 s lease duration; worst case 13.6 s, the issue's limit 15 s"));

    foreach (var (run, backend) in new[] { (sqlite, "SQLite"), (onEtcd, "etcd") })
    {
        report.Add(run.Many, run.Note);
        report.Add(run.One, $"API server on {backend}, one client");
    }
    report.Add(rawMany, $"baseline: {onEtcd.ValueSize}-byte values; etcd CPU {rawCpu.Etcd.TotalMilliseconds:0.000} ms per put");
    report.Add(rawOne, "baseline, one client");
    report.Note($"create throughput: etcd API {onEtcd.Many.PerSecond:0}/s / raw etcd puts {rawMany.PerSecond:0}/s = {onEtcd.Many.PerSecond / rawMany.PerSecond:0.00}x; " +
                $"SQLite API {sqlite.Many.PerSecond:0}/s");
    // Where the CPU went per write, all processes on the machine: on two shared cores the throughputs' ratio is the inverse
    // ratio of these sums (when nothing else runs); the server's JIT is apart, since a server at steady state has none.
    var api = onEtcd.Cpu!;
    report.Note($"CPU per create on etcd: server {api.Server.TotalMicroseconds:0} us (+ JIT {api.Jit.TotalMicroseconds:0}), etcd {api.Etcd.TotalMicroseconds:0} us, " +
                $"the benchmark's HTTP client {api.Client.TotalMicroseconds:0} us = {api.Total.TotalMicroseconds:0} us; per raw put: etcd {rawCpu.Etcd.TotalMicroseconds:0} us, " +
                $"gRPC client {rawCpu.Client.TotalMicroseconds:0} us = {rawCpu.Total.TotalMicroseconds:0} us; CPU-bound ratio {rawCpu.Total / api.Total:0.00}x");
    report.AtLeast("etcd API create/s vs raw etcd puts", onEtcd.Many.PerSecond / rawMany.PerSecond, 0.5, "x");
    report.AtMost("etcd API single-client create p99", onEtcd.One.P99Ms, 20, "ms");
    report.Print(Console.Out);
    return report.AllPass ? 0 : 1;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("benchmark cancelled; the servers and etcd were stopped and their data removed");
    return 130;
}
catch (Exception e)
{
    Console.Error.WriteLine($"benchmark failed: {e}");
    return 2;
}

// One server on the backend: warmed up, then creates from every client and from one; with etcd, where the CPU went.
async Task<(LoadResult Many, LoadResult One, int ValueSize, string Note, CpuPerWrite? Cpu)> ApiCreatesAsync(string backend, string[] storeArgs, EtcdCluster? etcd)
{
    await using var server = ServerProcess.Start(storeArgs);
    var ready = await server.WaitReadyAsync(TimeSpan.FromSeconds(30), ct);
    Step($"{backend}: server ready after {ready.TotalMilliseconds:0} ms; warm up");
    using var http = PodClient.NewHttpClient(server.Url, clients);
    var pods = new PodClient(http);
    await pods.CreateNamespaceAsync(Ns, ct);
    await pods.CreateNamespaceAsync(WarmNs, ct);
    // Up to 90 s: on a busy machine the etcd server's background JIT (gRPC, HTTP/2, protobuf on top of the API's code) was
    // still busy after 30 s and took half the server's CPU in the measured creates (perf, 2026-12-08).
    var (_, warmNote) = await WarmUp.RunAsync(server, pods, WarmNs, clients, ct, TimeSpan.FromSeconds(90));
    report.Note($"{backend}: {warmNote}");
    Step($"{backend}: create {podCount} pods from {clients} clients, then {singleCount} from one");
    var next = 0;
    var probe = await PhaseProbe.StartAsync(server, http, ct);
    var (serverCpu, jit, etcdCpu, clientCpu) = (server.CpuTime(), server.JitThreads(), etcd?.CpuTime(0) ?? default, ClientCpu());
    var many = await LoadRun.RunAsync($"{backend} API: create pod, {clients} clients", clients, phaseCap,
        (_, _) => pods.CreatePodAsync(Ns, PodClient.PodName(Interlocked.Increment(ref next) - 1), ct), podCount);
    var jitCpu = server.JitCpuSince(jit);
    var cpu = etcd is null ? null : new CpuPerWrite(many.Operations, server.CpuTime() - serverCpu - jitCpu, jitCpu,
        etcd.CpuTime(0) - etcdCpu, ClientCpu() - clientCpu);
    var note = await probe.EndAsync(many, ct);
    var one = await LoadRun.RunAsync($"{backend} API: create pod, 1 client", 1, phaseCap,
        (_, _) => pods.CreatePodAsync(Ns, PodClient.PodName(Interlocked.Increment(ref next) - 1), ct), singleCount);
    var valueSize = (await pods.GetPodAsync(Ns, PodClient.PodName(0), ct)).Length;
    return (many, one, valueSize, note, cpu);
}

// Puts of values the size of a stored pod, driven like the server's creates: every client, then one.
async Task<(LoadResult Many, LoadResult One, CpuPerWrite Cpu)> RawPutsAsync(EtcdCluster etcd, int valueSize)
{
    var servers = etcd.ServersFlag;
    Step($"raw etcd puts ({valueSize}-byte values) from {clients} clients, then from one");
    var value = new byte[valueSize];
    Random.Shared.NextBytes(value);
    var bytes = ByteString.CopyFrom(value);
    using var channel = GrpcChannel.ForAddress(servers.Split(',')[0]);
    var kv = new KV.KVClient(channel);
    Task Put(string key) => kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = bytes }, cancellationToken: ct).ResponseAsync;
    for (var i = 0; i < 500; i++) await Put($"/bench-raw/warm/{i}"); // the channel's connection and the client's JIT
    var (etcdCpu, clientCpu) = (etcd.CpuTime(0), ClientCpu());
    var many = await LoadRun.RunAsync($"raw etcd put, {clients} clients", clients, phaseCap, (w, i) => Put($"/bench-raw/pods/p-{w}-{i}"), podCount);
    var cpu = new CpuPerWrite(many.Operations, TimeSpan.Zero, TimeSpan.Zero, etcd.CpuTime(0) - etcdCpu, ClientCpu() - clientCpu);
    var one = await LoadRun.RunAsync("raw etcd put, 1 client", 1, phaseCap, (_, i) => Put($"/bench-raw/one/p-{i}"), singleCount);
    return (many, one, cpu);
}

static TimeSpan ClientCpu()
{
    using var self = System.Diagnostics.Process.GetCurrentProcess();
    return self.TotalProcessorTime;
}

void Cancel(PosixSignalContext signal)
{
    signal.Cancel = true;
    cancel.Cancel();
}

void Step(string text) => Console.WriteLine($"  {DateTime.Now:HH:mm:ss} {text}");

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>CPU per write of each process in a phase (the server's background JIT apart), from totals over <paramref name="Writes"/>.</summary>
internal sealed record CpuPerWrite(int Writes, TimeSpan ServerTotal, TimeSpan JitTotal, TimeSpan EtcdTotal, TimeSpan ClientTotal)
{
    public TimeSpan Server => ServerTotal / Math.Max(1, Writes);
    public TimeSpan Jit => JitTotal / Math.Max(1, Writes);
    public TimeSpan Etcd => EtcdTotal / Math.Max(1, Writes);
    public TimeSpan Client => ClientTotal / Math.Max(1, Writes);
    public TimeSpan Total => Server + Etcd + Client;
}
