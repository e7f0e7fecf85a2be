using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Navarch.Bench.Api;

/// <summary>
/// A real <c>navarch server</c> process on a free loopback port over a temporary data directory. Disposing
/// it kills the process and deletes the directory, also when the benchmark failed half-way.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int OutputLinesKept = 40;

    private readonly Process _process;
    private readonly string _dataDir;
    private readonly Queue<string> _output = new();
    private readonly List<string> _leadership = []; // guarded by _output's lock: every "is now the leader" line
    private readonly long _startedAt;

    private ServerProcess(Process process, string dataDir, int port, long startedAt)
    {
        _process = process;
        _dataDir = dataDir;
        _startedAt = startedAt;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }
    public Uri Url { get; }
    public int Pid => _process.Id;

    /// <summary>Starts the server built beside this benchmark (the project reference puts navarch.dll here): the API server
    /// alone unless <paramref name="controlPlane"/>, with <paramref name="extraArgs"/> (e.g. the etcd store's flags).</summary>
    public static ServerProcess Start(IReadOnlyList<string>? extraArgs = null, bool controlPlane = false)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "navarch.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"the server was not built beside the benchmark: {dll} is missing");
        var dataDir = Directory.CreateTempSubdirectory("navarch-bench-api-").FullName;
        var port = FreeLoopbackPort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The API server alone: an in-process scheduler would write a status to every pending pod the benchmark creates.
        string[] args = [dll, "server", "--data-dir", dataDir, "--bind", "127.0.0.1", "--secure-port", "0", "--insecure-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. controlPlane ? [] : new[] { "--disable-controller-manager", "--disable-scheduler" }, .. extraArgs ?? []];
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var startedAt = Stopwatch.GetTimestamp();
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        }
        catch
        {
            Directory.Delete(dataDir, recursive: true);
            throw;
        }
        var server = new ServerProcess(process, dataDir, port, startedAt);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls /readyz until it answers 200; returns the time since the process was started.</summary>
    public async Task<TimeSpan> WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited) throw new InvalidOperationException($"the server exited with code {_process.ExitCode}:\n{OutputTail()}");
            if (Stopwatch.GetElapsedTime(_startedAt) > timeout) throw new TimeoutException($"the server was not ready within {timeout.TotalSeconds:0} s:\n{OutputTail()}");
            try
            {
                using var response = await http.GetAsync("/readyz", ct);
                if (response.StatusCode == HttpStatusCode.OK) return Stopwatch.GetElapsedTime(_startedAt);
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // Listening but slow to answer (a busy machine): ask again until the timeout above.
            }
            await Task.Delay(5, ct);
        }
    }

    /// <summary>The resident set of the server process, from /proc/PID/status (VmRSS).</summary>
    public long ResidentBytes()
    {
        if (_process.HasExited) throw new InvalidOperationException($"the server exited with code {_process.ExitCode}:\n{OutputTail()}");
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            return long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"/proc/{_process.Id}/status has no VmRSS line");
    }

    /// <summary>User plus system CPU time the server process has used, from /proc/PID/stat.</summary>
    public TimeSpan CpuTime() => StatCpuTime($"/proc/{_process.Id}/stat");

    /// <summary>
    /// CPU time of each of the runtime's background JIT threads (".NET Tiered Com", recompiling hot methods at
    /// higher tiers) by thread id. The runtime ends such a thread when idle, so compare samples with <see cref="JitCpuSince"/>.
    /// </summary>
    public Dictionary<int, TimeSpan> JitThreads()
    {
        var threads = new Dictionary<int, TimeSpan>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered Com", StringComparison.Ordinal))
                    threads[int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture)] = StatCpuTime(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                // The thread ended while we looked.
            }
        }
        return threads;
    }

    /// <summary>JIT CPU time since <paramref name="before"/>; a thread that ended in between loses its last part.</summary>
    public TimeSpan JitCpuSince(Dictionary<int, TimeSpan> before) =>
        JitThreads().Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Value - before.GetValueOrDefault(t.Key));

    /// <summary>utime + stime of a /proc stat file, in USER_HZ ticks (100 per second on Linux).</summary>
    private static TimeSpan StatCpuTime(string path)
    {
        var stat = File.ReadAllText(path);
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>The last lines the server wrote (warnings and errors), for failure messages.</summary>
    public string OutputTail()
    {
        lock (_output) return string.Join('\n', _output);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(wait.Token);
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    /// <summary>Whether the server logged that <paramref name="identity"/> (one of its leader electors) became the leader.</summary>
    public bool Leads(string identity)
    {
        lock (_output) return _leadership.Any(l => l.Contains($"{identity} is now the leader", StringComparison.Ordinal));
    }

    public bool HasExited => _process.HasExited;

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            if (line.Contains("is now the leader", StringComparison.Ordinal)) _leadership.Add(line);
            _output.Enqueue(line);
            while (_output.Count > OutputLinesKept) _output.Dequeue();
        }
    }

    private static int FreeLoopbackPort()
    {
        // The port is free when the listener closes; the server takes it a moment later. A race with another
        // process is possible but unlikely on loopback, and fails loudly (the server exits) if it happens.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
