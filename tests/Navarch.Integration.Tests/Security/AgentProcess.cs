using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Navarch.Integration.Tests.Security;

/// <summary>A <c>navarch agent</c> process (fake runtime, no proxy) on 127.0.0.1 with a free port; killed and its data dir removed on dispose.</summary>
public sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AgentProcess(Process process, string dataDir, int port)
    {
        _process = process;
        DataDir = dataDir;
        Port = port;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string DataDir { get; }
    public int Port { get; }
    public string Url => $"https://127.0.0.1:{Port}";
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts <c>navarch agent --node-name NAME --node-ip 127.0.0.1 --runtime fake</c> with <paramref name="args"/> (the server or credentials).</summary>
    public static AgentProcess Start(string nodeName, params string[] args) => StartIn(nodeName, Directory.CreateTempSubdirectory("navarch-agent-").FullName, args);

    public static AgentProcess StartIn(string nodeName, string dataDir, params string[] args)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "navarch.dll"), "agent", "--node-name", nodeName, "--node-ip", "127.0.0.1",
            "--runtime", "fake", "--port", port.ToString(), "--data-dir", dataDir }.Concat(args))
            psi.ArgumentList.Add(a);
        return new AgentProcess(Process.Start(psi)!, dataDir, port);
    }

    /// <summary>Waits for the process to end by itself (bounded); returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"navarch agent did not exit within {timeout}:\n{Output}"); }
        return _process.ExitCode;
    }

    /// <summary>Kills the process and keeps its data dir (for a restart on it).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        try { Directory.Delete(DataDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
