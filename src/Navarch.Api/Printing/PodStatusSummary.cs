using k8s.Models;

namespace Navarch.Api.Printing;

/// <summary>
/// The STATUS, READY and RESTARTS of a pod exactly as upstream's printPod computes them (init containers,
/// sidecars, waiting and terminated reasons, Completed-but-running, Terminating, NodeLost → Unknown).
/// </summary>
internal sealed record PodStatusSummary(string Reason, int Ready, int Total, int Restarts, DateTime? LastRestart)
{
    private const string NodeUnreachablePodReason = "NodeLost";

    public static PodStatusSummary Of(V1Pod pod)
    {
        var spec = pod.Spec ?? new V1PodSpec();
        var status = pod.Status ?? new V1PodStatus();
        var restarts = 0;
        var sidecarRestarts = 0;
        var total = spec.Containers?.Count ?? 0;
        var ready = 0;
        DateTime? lastRestart = null;
        DateTime? lastSidecarRestart = null;

        var phase = status.Phase ?? "";
        var reason = string.IsNullOrEmpty(status.Reason) ? phase : status.Reason;
        if (status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "SchedulingGated") == true)
        {
            reason = "SchedulingGated";
        }

        var initContainers = (spec.InitContainers ?? []).GroupBy(c => c.Name ?? "").ToDictionary(g => g.Key, g => g.First());
        total += initContainers.Values.Count(IsSidecar);

        var initializing = false;
        var initStatuses = status.InitContainerStatuses ?? [];
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var container = initStatuses[i];
            var sidecar = initContainers.TryGetValue(container.Name ?? "", out var spec0) && IsSidecar(spec0);
            restarts += container.RestartCount;
            lastRestart = Later(lastRestart, container.LastState?.Terminated?.FinishedAt, container.LastState?.Terminated is not null);
            if (sidecar)
            {
                sidecarRestarts += container.RestartCount;
                lastSidecarRestart = Later(lastSidecarRestart, container.LastState?.Terminated?.FinishedAt, container.LastState?.Terminated is not null);
            }
            var terminated = container.State?.Terminated;
            var waiting = container.State?.Waiting;
            if (terminated is not null && terminated.ExitCode == 0)
            {
                continue;
            }
            if (sidecar && container.Started == true)
            {
                if (container.Ready)
                {
                    ready++;
                }
                continue;
            }
            if (terminated is not null)
            {
                reason = string.IsNullOrEmpty(terminated.Reason)
                    ? terminated.Signal is { } sig and not 0 ? $"Init:Signal:{sig}" : $"Init:ExitCode:{terminated.ExitCode}"
                    : "Init:" + terminated.Reason;
            }
            else if (!string.IsNullOrEmpty(waiting?.Reason) && waiting.Reason != "PodInitializing")
            {
                reason = "Init:" + waiting.Reason;
            }
            else
            {
                reason = $"Init:{i}/{spec.InitContainers?.Count ?? 0}";
            }
            initializing = true;
            break;
        }

        var initialized = status.Conditions?.Any(c => c.Type == "Initialized" && c.Status == "True") == true;
        if (!initializing || initialized)
        {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            var hasRunning = false;
            var statuses = status.ContainerStatuses ?? [];
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += container.RestartCount;
                lastRestart = Later(lastRestart, container.LastState?.Terminated?.FinishedAt, container.LastState?.Terminated is not null);
                var waiting = container.State?.Waiting;
                var terminated = container.State?.Terminated;
                if (!string.IsNullOrEmpty(waiting?.Reason))
                {
                    reason = waiting.Reason;
                }
                else if (terminated is not null && !string.IsNullOrEmpty(terminated.Reason))
                {
                    reason = terminated.Reason;
                }
                else if (terminated is not null)
                {
                    reason = terminated.Signal is { } sig and not 0 ? $"Signal:{sig}" : $"ExitCode:{terminated.ExitCode}";
                }
                else if (container.Ready && container.State?.Running is not null)
                {
                    hasRunning = true;
                    ready++;
                }
            }
            // A pod whose last container completed but others still run is still Running (or NotReady).
            if (reason == "Completed" && hasRunning)
            {
                reason = status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true ? "Running" : "NotReady";
            }
        }

        if (pod.Metadata?.DeletionTimestamp is not null && status.Reason == NodeUnreachablePodReason)
        {
            reason = "Unknown";
        }
        else if (pod.Metadata?.DeletionTimestamp is not null && phase is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }
        return new PodStatusSummary(reason, ready, total, restarts, lastRestart);
    }

    // An init container with restartPolicy Always is a sidecar: it counts as a regular container.
    private static bool IsSidecar(V1Container? container) => container?.RestartPolicy == "Always";

    // Upstream compares against the zero time, so a terminated state without finishedAt still counts as "zero".
    private static DateTime? Later(DateTime? current, DateTime? candidate, bool terminated)
    {
        if (!terminated || candidate is null)
        {
            return current;
        }
        return current is null || current < candidate ? candidate : current;
    }
}
