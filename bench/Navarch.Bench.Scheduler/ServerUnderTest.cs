using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Navarch.Bench.Scheduler;

/// <summary>
/// A real <c>navarch server</c> process on a free loopback port over a temporary data directory (API only by default:
/// no controller manager, no scheduler), with its CPU time and memory read from /proc. Disposing kills it and deletes
/// the directory. The workloads benchmark links this file and runs the whole server.
/// </summary>
internal sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDir;
    private readonly Queue<string> _tail = new();

    private ServerUnderTest(Process process, string dataDir, string url)
    {
        _process = process;
        _dataDir = dataDir;
        Url = url;
    }

    public string Url { get; }
    public int Pid => _process.Id;

    /// <summary>The flags that leave only the API server running.</summary>
    public static readonly string[] ApiOnly = ["--disable-controller-manager", "--disable-scheduler"];

    public static Task<ServerUnderTest> StartAsync(CancellationToken ct) => StartAsync(ApiOnly, ct);

    /// <summary>Starts the server with <paramref name="roleArgs"/> after the data dir, address and port flags.</summary>
    public static async Task<ServerUnderTest> StartAsync(IEnumerable<string> roleArgs, CancellationToken ct)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "navarch.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"the server was not built beside the benchmark: {dll} is missing");
        var dataDir = Directory.CreateTempSubdirectory("navarch-bench-scheduler-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "server", "--data-dir", dataDir, "--bind", "127.0.0.1", "--secure-port", "0", "--insecure-port", port.ToString(CultureInfo.InvariantCulture) }.Concat(roleArgs))
            info.ArgumentList.Add(arg);
        var server = new ServerUnderTest(Process.Start(info)!, dataDir, $"http://127.0.0.1:{port}");
        server._process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(TimeSpan.FromSeconds(30), ct);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>User + system CPU seconds the server used so far (/proc/PID/stat, fields 14 and 15).</summary>
    public double CpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ", field 3 (state) is index 0: utime is field 14 → index 11, stime index 12.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    /// <summary>Resident set now (VmRSS) and at its peak (VmHWM), in bytes, from /proc/PID/status.</summary>
    public (long Rss, long Peak) Memory()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kb(line);
        }
        return (rss, peak);
        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public string OutputTail()
    {
        lock (_tail) return string.Join('\n', _tail);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the server exited with {_process.ExitCode}:\n{OutputTail()}");
            try
            {
                if ((await http.GetAsync($"{Url}/readyz", ct)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Still starting on a busy machine: the 2 s request timeout ran out.
            }
            await Task.Delay(20, ct);
        }
        throw new TimeoutException($"the server was not ready within {timeout.TotalSeconds:0} s:\n{OutputTail()}");
    }

    // NAVARCH_BENCH_SERVER_LOG=FILE keeps the server's whole output there (the tail alone is kept otherwise).
    private readonly string? _logFile = Environment.GetEnvironmentVariable("NAVARCH_BENCH_SERVER_LOG");

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            if (!string.IsNullOrEmpty(_logFile)) File.AppendAllText(_logFile, line + "\n");
            _tail.Enqueue(line);
            while (_tail.Count > 40) _tail.Dequeue();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
