using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Navarch.Cri;

namespace Navarch.Agent.Containerd;

/// <summary>
/// Runs the agent's own containerd: writes its config under the data dir, starts it in a private mount
/// namespace (and the node's network namespace if one is configured), waits until CRI answers with
/// RuntimeReady, restarts it with a bounded back-off if it dies, and on stop leaves no process behind
/// (SIGTERM, SIGKILL, then its shims by PID). One instance runs one containerd once: start, then stop.
/// </summary>
public sealed partial class ContainerdSupervisor : IAsyncDisposable
{
    /// <summary>A containerd that ran this long before dying restarts after the initial delay again.</summary>
    private static readonly TimeSpan HealthyRun = TimeSpan.FromMinutes(1);

    private readonly ContainerdOptions _options;
    private readonly ILogger<ContainerdSupervisor> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    // Written by StartAsync and the monitor loop only; read anywhere.
    private volatile Process? _process;
    private Task _monitor = Task.CompletedTask;
    private int _restarts;
    private int _stopped;

    /// <summary>A supervisor for <paramref name="options"/>; nothing runs before <see cref="StartAsync"/>.</summary>
    public ContainerdSupervisor(ContainerdOptions options, ILogger<ContainerdSupervisor> logger, TimeProvider? time = null)
    {
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        Paths = options.Paths();
    }

    /// <summary>Where this containerd keeps everything.</summary>
    public ContainerdPaths Paths { get; }

    /// <summary>The CRI endpoint (<c>unix://SOCKET</c>).</summary>
    public string Endpoint => RuntimeEndpoint.FromSocketPath(Paths.Socket);

    /// <summary>The snapshotter in use (known after <see cref="StartAsync"/>).</summary>
    public string Snapshotter { get; private set; } = "";

    /// <summary>PID of the running containerd, or null between a crash and its restart and after stop.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>How many times containerd was restarted after dying.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>
    /// Writes the config, starts containerd and returns once CRI Version answers and Status reports
    /// RuntimeReady. Throws <see cref="TimeoutException"/> (with containerd's last log lines) if that takes
    /// longer than <see cref="ContainerdOptions.StartTimeout"/>, or if containerd exits meanwhile.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var dir in new[] { Paths.BaseDir, Paths.Root, Paths.State, Paths.CniConfDir })
            Directory.CreateDirectory(dir);
        Snapshotter = _options.Snapshotter ?? await SnapshotterProbe.ChooseAsync(Paths.Root, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Paths.ConfigFile, ContainerdConfig.Render(Paths, _options, Snapshotter), cancellationToken).ConfigureAwait(false);
        await LaunchAndWaitAsync(cancellationToken).ConfigureAwait(false);
        _monitor = Task.Run(() => MonitorAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>
    /// Stops supervising and stops containerd: SIGTERM, SIGKILL after <see cref="ContainerdOptions.StopTimeout"/>,
    /// then SIGKILL to its leftover shims and their containers. Remove pod sandboxes through CRI before this
    /// (that runs CNI DEL). Idempotent.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try { await _monitor.ConfigureAwait(false); }
        catch (OperationCanceledException) { /* the monitor ends by cancellation */ }
        if (_process is { } process) await TerminateAsync(process, cancellationToken).ConfigureAwait(false);
        var killed = await ShimReaper.KillAsync(Paths.Socket, _options.StopTimeout, cancellationToken).ConfigureAwait(false);
        if (killed.Count > 0) LogShimsKilled(killed.Count, string.Join(",", killed));
    }

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task LaunchAndWaitAsync(CancellationToken cancellationToken)
    {
        // A stale socket from a killed run would make the readiness check talk to nobody.
        File.Delete(Paths.Socket);
        File.Delete(Paths.TtrpcSocket);
        var process = Launch();
        _process = process;
        LogStarted(process.Id, Paths.Socket, Snapshotter);
        try
        {
            await WaitReadyAsync(process, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await TerminateAsync(process, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private Process Launch()
    {
        // unshare: containerd's mounts (rootfs overlays, pod netns bind mounts) stay in a mount namespace of
        // its own and vanish with it. nsenter rather than `ip netns exec`, which remounts /sys and hides the
        // cgroup v1 mounts (PLATFORM.md). Both exec, so the PID is containerd's.
        var args = new List<string> { "--mount", "--propagation", "slave" };
        if (_options.NetworkNamespace is { } netns)
            args.AddRange(["nsenter", "--net=" + (netns.StartsWith('/') ? netns : "/run/netns/" + netns)]);
        args.AddRange([_options.ContainerdBinary, "--config", Paths.ConfigFile]);
        // The log file is containerd's stdout and stderr directly, not a pipe: shims inherit those descriptors
        // and outlive containerd, so a pipe would never reach EOF. `sh -c exec` keeps the PID. setsid puts
        // containerd in a session of its own, so a Ctrl+C aimed at the agent leaves it (and the pods) running;
        // it does not fork, since the shell is no process-group leader, so the PID is still containerd's.
        args.InsertRange(0, ["-c", "exec \"$@\" >>\"$0\" 2>&1", Paths.LogFile, "setsid", "unshare"]);
        var process = Process.Start(new ProcessStartInfo("/bin/sh", args))!;
        return process;
    }

    private async Task WaitReadyAsync(Process process, CancellationToken cancellationToken)
    {
        using var runtime = CriRuntime.Connect(Endpoint, TimeSpan.FromSeconds(2));
        var started = _time.GetTimestamp();
        var lastError = "no answer yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
                throw new TimeoutException($"containerd exited with code {process.ExitCode} before CRI was ready; its log ends:\n{ContainerdLog.Tail(Paths.LogFile)}");
            if (File.Exists(Paths.Socket))
            {
                try
                {
                    await runtime.VersionAsync(cancellationToken).ConfigureAwait(false);
                    var health = await runtime.StatusAsync(cancellationToken).ConfigureAwait(false);
                    if (health.RuntimeReady)
                    {
                        LogReady(process.Id, _time.GetElapsedTime(started).TotalMilliseconds);
                        return;
                    }
                    lastError = "RuntimeReady is false";
                }
                catch (RuntimeException e)
                {
                    lastError = e.Message;
                }
            }
            if (_time.GetElapsedTime(started) > _options.StartTimeout)
                throw new TimeoutException($"containerd's CRI was not ready within {_options.StartTimeout.TotalSeconds:0.#} s ({lastError}); its log ends:\n{ContainerdLog.Tail(Paths.LogFile)}");
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Restarts containerd whenever it dies, waiting longer after each quick crash.</summary>
    private async Task MonitorAsync(CancellationToken stopping)
    {
        var delay = _options.InitialRestartDelay;
        while (!stopping.IsCancellationRequested)
        {
            var process = _process!;
            var startedAt = _time.GetUtcNow();
            await process.WaitForExitAsync(stopping).ConfigureAwait(false);
            if (_time.GetUtcNow() - startedAt >= HealthyRun) delay = _options.InitialRestartDelay;
            LogDied(process.ExitCode, delay.TotalSeconds, ContainerdLog.Tail(Paths.LogFile, 3));
            process.Dispose();
            _process = null;
            while (!stopping.IsCancellationRequested)
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRestartDelay.Ticks));
                try
                {
                    await LaunchAndWaitAsync(stopping).ConfigureAwait(false);
                    Interlocked.Increment(ref _restarts);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Keep supervising whatever went wrong (binary gone, config unreadable): the back-off bounds the cost.
                    LogRestartFailed(e.Message, delay.TotalSeconds);
                }
            }
        }
    }

    private async Task TerminateAsync(Process process, CancellationToken cancellationToken)
    {
        if (!process.HasExited) ProcessTable.Signal(process.Id, ProcessTable.SigTerm);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(_options.StopTimeout);
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogKilled(process.Id, _options.StopTimeout.TotalSeconds);
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "containerd started (pid {Pid}, socket {Socket}, snapshotter {Snapshotter})")]
    private partial void LogStarted(int pid, string socket, string snapshotter);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "containerd (pid {Pid}) ready in {Milliseconds:0} ms")]
    private partial void LogReady(int pid, double milliseconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "containerd died with exit code {ExitCode}; restarting in {Seconds:0.#} s; its log ends: {Tail}")]
    private partial void LogDied(int exitCode, double seconds, string tail);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "containerd restart failed: {Reason}; next try in {Seconds:0.#} s")]
    private partial void LogRestartFailed(string reason, double seconds);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "containerd (pid {Pid}) ignored SIGTERM for {Seconds:0.#} s; killed")]
    private partial void LogKilled(int pid, double seconds);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "killed {Count} leftover shim processes of containerd: {Pids}")]
    private partial void LogShimsKilled(int count, string pids);
}
