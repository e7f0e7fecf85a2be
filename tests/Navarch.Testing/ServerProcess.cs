using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Navarch.Testing;

/// <summary>
/// A real <c>navarch server</c> process on loopback with its own data directory, for integration tests.
/// Disposing kills it and deletes the directory, also when the test failed.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    private ServerProcess(string dataDir, int port, IReadOnlyList<string> extraArgs, IReadOnlyList<string> wrapper)
    {
        DataDir = dataDir;
        Port = port;
        ExtraArgs = extraArgs;
        Wrapper = wrapper;
    }

    public string DataDir { get; }
    public int Port { get; }
    public IReadOnlyList<string> ExtraArgs { get; }
    /// <summary>A command the server runs under (e.g. <c>unshare … sh -c '…; exec "$@"'</c>); it must exec the server, keeping the PID.</summary>
    public IReadOnlyList<string> Wrapper { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public int? ProcessId => _process?.Id;

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts a server with a fresh data directory and a free port; returns once /readyz answers.</summary>
    public static Task<ServerProcess> StartAsync(params string[] extraArgs) => StartWrappedAsync([], extraArgs);

    /// <summary>Like <see cref="StartAsync"/>, with the server run under <paramref name="wrapper"/> (see <see cref="Wrapper"/>).</summary>
    public static async Task<ServerProcess> StartWrappedAsync(IReadOnlyList<string> wrapper, params string[] extraArgs)
    {
        var server = Create(Directory.CreateTempSubdirectory("navarch-test-").FullName, extraArgs, wrapper);
        try
        {
            await server.RestartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A server on <paramref name="dataDir"/> (deleted on dispose) and a free port, not started yet.</summary>
    public static ServerProcess Create(string dataDir, IReadOnlyList<string> extraArgs, IReadOnlyList<string>? wrapper = null) =>
        new(dataDir, FreePort(), extraArgs, wrapper ?? []);
    /// <summary>A server with the secure port on a free port too (and the insecure one, for setting up tests).</summary>
    public static Task<ServerProcess> StartSecureAsync(params string[] extraArgs) =>
        StartAsync(["--secure-port", FreePort().ToString(), .. extraArgs]);

    /// <summary>https://127.0.0.1:PORT when started with a secure port, else null.</summary>
    public string? SecureUrl => ExtraArgs.ToList().IndexOf("--secure-port") is var i and >= 0 && ExtraArgs[i + 1] != "0" ? $"https://127.0.0.1:{ExtraArgs[i + 1]}" : null;

    /// <summary>The admin kubeconfig the server writes when it serves TLS.</summary>
    public string AdminKubeconfig => Path.Combine(DataDir, "admin.kubeconfig");

    /// <summary>(Re)starts the process on the same data directory and port.</summary>
    public async Task RestartAsync(TimeSpan? timeout = null)
    {
        Launch();
        await WaitReadyAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts the process and waits for it to end by itself, as a refused start does; returns its exit code.</summary>
    public async Task<int> RunToExitAsync(TimeSpan timeout)
    {
        var p = Launch();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"navarch server still running {timeout} after start (expected it to refuse):\n{Output}");
        }
        p.WaitForExit(); // the output readers finish
        return p.ExitCode;
    }

    /// <summary>SIGTERM, then waits for the exit; returns the exit code and the time from signal to exit.</summary>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan timeout)
    {
        var p = _process ?? throw new InvalidOperationException("not started");
        var watch = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString()])) await kill.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"navarch server did not exit within {timeout} of SIGTERM:\n{Output}");
        }
        var took = watch.Elapsed;
        p.WaitForExit();
        return (p.ExitCode, took);
    }

    private Process Launch()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "navarch.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("navarch.dll is not beside the tests; reference src/Navarch", dll);
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The secure port defaults to 6443, which servers of tests running side by side would fight over.
        var secure = ExtraArgs.Contains("--secure-port") ? [] : new[] { "--secure-port", "0" };
        var command = Wrapper.Concat(["dotnet", dll, "server", "--data-dir", DataDir, "--bind", "127.0.0.1", "--insecure-port", Port.ToString()]).Concat(secure).Concat(ExtraArgs).ToList();
        psi.FileName = command[0];
        foreach (var a in command.Skip(1))
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start navarch server");
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process?.Dispose();
        _process = p;
        return p;
    }

    /// <summary>Time from process start to a 200 on /readyz.</summary>
    public TimeSpan? ReadyAfter { get; private set; }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (_process!.HasExited) throw new InvalidOperationException($"navarch server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                var r = await http.GetAsync($"{Url}/readyz");
                if (r.IsSuccessStatusCode) { ReadyAfter = watch.Elapsed; return; }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(50);
        }
        throw new TimeoutException($"navarch server not ready within {timeout}:\n{Output}");
    }

    /// <summary>kill -9: no chance to flush or close anything.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>
    /// The server's warnings that it refused one of its own loops (controllers, scheduler, cluster DNS run with least
    /// privilege on the secure port): each is a rule missing from a bootstrap role.
    /// </summary>
    public IReadOnlyList<string> ControlPlaneRefusals =>
        [.. Output.Split('\n').Where(l => l.Contains("forbidden: User \"system:", StringComparison.Ordinal)).Select(l => l.Trim())];

    /// <summary>Stops the server, then throws if it refused any of its own loops (see <see cref="ControlPlaneRefusals"/>).</summary>
    public async ValueTask DisposeExpectingNoRefusalsAsync()
    {
        var refusals = ControlPlaneRefusals;
        await DisposeAsync();
        if (refusals.Count > 0)
            throw new InvalidOperationException($"the server refused its own loops {refusals.Count} times (a bootstrap role lacks a rule):\n{string.Join("\n", refusals.Take(10))}");
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
