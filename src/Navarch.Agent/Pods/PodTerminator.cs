using System.Diagnostics;
using k8s.Models;
using Navarch.Cri;
using Navarch.Client.Events;

namespace Navarch.Agent.Pods;

/// <summary>
/// Stops a pod's containers and sandboxes as upstream's kubelet kills a pod: every running container at
/// once, each with its preStop hook (exec or httpGet) inside the grace period, then its stop signal and
/// SIGKILL when the rest of the grace period is over; then the sandboxes are stopped and removed.
/// </summary>
public sealed class PodTerminator(ICriRuntime runtime, EventRecorder events, HttpClient http)
{
    /// <summary>Upstream's floor for the time a container gets after its preStop hook.</summary>
    private static readonly TimeSpan MinimumGracePeriod = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Stops the running containers of <paramref name="sandboxes"/> within <paramref name="grace"/> and
    /// removes the sandboxes. <paramref name="pod"/> gives hooks and events; null for an orphan (no hooks, no events).
    /// </summary>
    public async Task KillAsync(V1Pod? pod, IReadOnlyList<SandboxInfo> sandboxes, TimeSpan grace, bool removeSandboxes, CancellationToken ct)
    {
        foreach (var sandbox in sandboxes)
        {
            var running = await runtime.ListContainersAsync(new ContainerFilter { SandboxId = sandbox.Id, State = ContainerState.Running }, ct);
            string podIp = "";
            if (pod is not null && running.Count > 0)
            {
                try { podIp = (await runtime.SandboxStatusAsync(sandbox.Id, ct)).Ip; }
                catch (RuntimeException) { }
            }
            await Task.WhenAll(running.Select(c => StopContainerAsync(pod, c, podIp, grace, ct)));
            await runtime.StopSandboxAsync(sandbox.Id, ct);
            if (removeSandboxes) await runtime.RemoveSandboxAsync(sandbox.Id, ct);
        }
    }

    /// <summary>Stops one container: the Killing event, its preStop hook, then the stop with what is left of <paramref name="grace"/>.</summary>
    public async Task StopContainerAsync(V1Pod? pod, ContainerInfo container, string podIp, TimeSpan grace, CancellationToken ct, string? killingMessage = null)
    {
        var clock = Stopwatch.StartNew();
        var spec = pod?.Spec.Containers?.FirstOrDefault(c => c.Name == container.Name)
            ?? pod?.Spec.InitContainers?.FirstOrDefault(c => c.Name == container.Name);
        if (pod is not null)
            await events.NormalAsync(pod, "Killing", killingMessage ?? $"Stopping container {container.Name}", ct);
        if (pod is not null && spec?.Lifecycle?.PreStop is { } hook && grace > TimeSpan.Zero)
        {
            var error = await RunHookAsync(spec, hook, container.Id, podIp, grace, ct);
            if (error is not null)
                await events.WarningAsync(pod, "FailedPreStopHook", $"PreStopHook failed: {error}", ct);
        }
        var left = grace == TimeSpan.Zero ? TimeSpan.Zero : grace - clock.Elapsed;
        if (grace > TimeSpan.Zero && left < MinimumGracePeriod) left = MinimumGracePeriod;
        await runtime.StopContainerAsync(container.Id, left, ct);
    }

    /// <summary>Runs a preStop hook for at most <paramref name="timeout"/>; returns an error message, or null when it succeeded.</summary>
    private async Task<string?> RunHookAsync(V1Container spec, V1LifecycleHandler hook, string containerId, string podIp, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            if (hook.Exec?.Command is { Count: > 0 } command)
            {
                var r = await runtime.ExecSyncAsync(containerId, command.ToList(), timeout, ct);
                return r.ExitCode == 0 ? null : $"command '{string.Join(' ', command)}' exited with {r.ExitCode}: {System.Text.Encoding.UTF8.GetString(r.Stderr)}";
            }
            if (hook.HttpGet is { } get)
            {
                var port = ResolvePort(spec, get.Port);
                var host = string.IsNullOrEmpty(get.Host) ? podIp : get.Host;
                var scheme = (get.Scheme ?? "HTTP").ToLowerInvariant();
                var path = string.IsNullOrEmpty(get.Path) ? "/" : get.Path.StartsWith('/') ? get.Path : "/" + get.Path;
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{scheme}://{(host.Contains(':') ? $"[{host}]" : host)}:{port}{path}");
                foreach (var h in get.HttpHeaders ?? []) request.Headers.TryAddWithoutValidation(h.Name, h.Value);
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                cts.CancelAfter(timeout);
                using var response = await http.SendAsync(request, cts.Token);
                return (int)response.StatusCode is >= 200 and < 400 ? null : $"HTTP lifecycle hook ({path}) for Container \"{spec.Name}\" returned status {(int)response.StatusCode}";
            }
            if (hook.Sleep is { } sleep)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(sleep.Seconds, timeout.TotalSeconds)), ct);
                return null;
            }
            return null;
        }
        catch (Exception e) when (e is RuntimeException or HttpRequestException or ArgumentException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return e.Message;
        }
    }

    /// <summary>A hook's or probe's port: a number, or the name of one of the container's ports.</summary>
    public static int ResolvePort(V1Container spec, IntOrString port)
    {
        var value = port.Value ?? "";
        if (int.TryParse(value, out var number)) return number;
        return spec.Ports?.FirstOrDefault(p => p.Name == value)?.ContainerPort
            ?? throw new ArgumentException($"port \"{value}\" is not a port of container {spec.Name}");
    }
}
