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

    private ServerProcess(string dataDir, int port, IReadOnlyList<string> extraArgs)
    {
        DataDir = dataDir;
        Port = port;
        ExtraArgs = extraArgs;
    }

    public string DataDir { get; }
    public int Port { get; }
    public IReadOnlyList<string> ExtraArgs { get; }
    public string Url => $"http://127.0.0.1:{Port}";
    public int? ProcessId => _process?.Id;

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts a server with a fresh data directory and a free port; returns once /readyz answers.</summary>
    public static async Task<ServerProcess> StartAsync(params string[] extraArgs)
    {
        var dir = Directory.CreateTempSubdirectory("navarch-test-").FullName;
        var server = new ServerProcess(dir, FreePort(), extraArgs);
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
        foreach (var a in new[] { dll, "server", "--data-dir", DataDir, "--bind", "127.0.0.1", "--insecure-port", Port.ToString() }.Concat(secure).Concat(ExtraArgs))
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start navarch server");
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        await WaitReadyAsync(timeout ?? TimeSpan.FromSeconds(30));
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
