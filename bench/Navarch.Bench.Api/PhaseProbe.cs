using System.Diagnostics;
using System.Globalization;

namespace Navarch.Bench.Api;

/// <summary>
/// Where a phase's time went: CPU of the server, of this client and of everything else on the machine
/// (other processes skew figures on a shared box), and the server's garbage collections and allocations
/// as its /metrics report them.
/// </summary>
internal sealed class PhaseProbe
{
    private readonly ServerProcess _server;
    private readonly HttpClient _http;
    private TimeSpan _serverCpu, _clientCpu, _machineBusy;
    private Dictionary<int, TimeSpan> _jit = [];
    private Dictionary<string, double> _metrics = [];

    private PhaseProbe(ServerProcess server, HttpClient http)
    {
        _server = server;
        _http = http;
    }

    /// <summary>Takes the first sample; <see cref="EndAsync"/> takes the second and describes the difference.</summary>
    public static async Task<PhaseProbe> StartAsync(ServerProcess server, HttpClient http, CancellationToken ct)
    {
        var probe = new PhaseProbe(server, http);
        probe._metrics = await probe.ScrapeAsync(ct);
        (probe._serverCpu, probe._jit, probe._clientCpu, probe._machineBusy) = (server.CpuTime(), server.JitThreads(), ClientCpu(), MachineBusy());
        return probe;
    }

    /// <summary>
    /// A note for the table: server CPU per operation, cores busy by whom (the server's background JIT apart;
    /// approximate, as that thread's time vanishes when it exits), GC pauses and allocation.
    /// </summary>
    public async Task<string> EndAsync(LoadResult r, CancellationToken ct)
    {
        var (serverCpu, jitCpu, clientCpu, machineBusy) = (_server.CpuTime() - _serverCpu, _server.JitCpuSince(_jit), ClientCpu() - _clientCpu, MachineBusy() - _machineBusy);
        var after = await ScrapeAsync(ct);
        double Delta(string name) => after.GetValueOrDefault(name) - _metrics.GetValueOrDefault(name);
        var ops = Math.Max(1, r.Operations);
        var seconds = r.Elapsed.TotalSeconds;
        var others = Math.Max(0, (machineBusy - serverCpu - clientCpu).TotalSeconds);
        var pause = Delta("system_runtime_dotnet_gc_pause_time");
        return string.Create(CultureInfo.InvariantCulture,
            $"server {serverCpu.TotalMicroseconds / ops:0} us CPU/op ({(serverCpu - jitCpu).TotalMicroseconds / ops:0} without the JIT); cores busy: server {serverCpu.TotalSeconds / seconds:0.00} " +
            $"(JIT {jitCpu.TotalSeconds / seconds:0.00}), " +
            $"client {clientCpu.TotalSeconds / seconds:0.00}, others {others / seconds:0.00}; " +
            $"server GC: {Delta("system_runtime_dotnet_gc_heap_total_allocated") / ops / 1024:0} KiB/op, " +
            $"{Delta("system_runtime_dotnet_gc_collections{gc_heap_generation=\"gen2\"}"):0} gen2, paused {pause * 1000:0} ms ({pause / seconds:P0})");
    }

    /// <summary>The server's numeric Prometheus samples by their full name (labels included).</summary>
    private async Task<Dictionary<string, double>> ScrapeAsync(CancellationToken ct)
    {
        var samples = new Dictionary<string, double>();
        var text = await _http.GetStringAsync("/metrics", ct);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                samples[line[..space]] = v;
        }
        return samples;
    }

    private static TimeSpan ClientCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>CPU time every core spent not idle, from the first line of /proc/stat (USER_HZ ticks).</summary>
    private static TimeSpan MachineBusy()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // cpu user nice system idle iowait irq softirq steal ...: busy = everything but idle and iowait.
        long busy = 0;
        for (var i = 1; i < Math.Min(cpu.Length, 9); i++)
            if (i is not (4 or 5)) busy += long.Parse(cpu[i], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(busy / 100.0);
    }
}
