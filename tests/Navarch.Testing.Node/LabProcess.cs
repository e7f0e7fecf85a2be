using System.Diagnostics;
using System.Text;

namespace Navarch.Testing;

/// <summary>
/// A long-running program started inside a network namespace with <c>nsenter --net</c> (never <c>ip netns exec</c>,
/// which remounts /sys and breaks containerd's cgroups), its output kept for failure messages. Disposing kills it.
/// </summary>
public sealed class LabProcess : IAsyncDisposable
{
    private const int MaxOutput = 256 * 1024;
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private LabProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    /// <summary>What runs (for messages).</summary>
    public string Description { get; }

    /// <summary>The process id (of nsenter, which execs the program: the same process).</summary>
    public int Id => _process.Id;

    /// <summary>Whether it has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What it printed so far (the last 256 KiB).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts <paramref name="program"/> with <paramref name="args"/> inside the namespace at <paramref name="netnsPath"/>.</summary>
    public static LabProcess Start(string netnsPath, string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("nsenter") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--net=" + netnsPath);
        psi.ArgumentList.Add(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var lab = new LabProcess(process, $"{program} {string.Join(' ', args)}");
        process.OutputDataReceived += (_, e) => lab.Append(e.Data);
        process.ErrorDataReceived += (_, e) => lab.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return lab;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > MaxOutput) _output.Remove(0, _output.Length - MaxOutput);
        }
    }

    /// <summary>SIGTERM, then SIGKILL (with its children) if it has not ended within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        LabNative.Kill(_process.Id, LabNative.SigTerm);
        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL to this process alone: children it started (e.g. a containerd) live on, orphaned.</summary>
    public async Task KillAloneAsync()
    {
        if (_process.HasExited) return;
        LabNative.Kill(_process.Id, LabNative.SigKill);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGKILL to it and its children.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Kills it if it still runs. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
        }
        _process.Dispose();
    }
}
