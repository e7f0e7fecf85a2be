using k8s.Models;
using Navarch.Cri;

namespace Navarch.Agent.Pods;

/// <summary>Everything a pod's status is computed from, besides the pod itself.</summary>
public sealed record PodStatusInput
{
    /// <summary>What the runtime holds for the pod.</summary>
    public required PodRuntimeView Runtime { get; init; }

    /// <summary>Waiting reasons the sync chose for containers that are not running (back-off, pull errors).</summary>
    public IReadOnlyDictionary<string, WaitingReason> Waiting { get; init; } = new Dictionary<string, WaitingReason>();

    /// <summary>Readiness of a running container by name (the probe manager's answer).</summary>
    public required Func<string, bool> IsReady { get; init; }

    /// <summary>Whether a running container's startup probe passed (or it has none).</summary>
    public required Func<string, bool> IsStarted { get; init; }

    /// <summary>The node's IP (hostIP).</summary>
    public required string HostIp { get; init; }

    /// <summary>Prefix of container ids: the runtime's name (<c>containerd</c>, giving <c>containerd://ID</c>).</summary>
    public required string RuntimeName { get; init; }

    /// <summary>Now, for startTime and condition transitions.</summary>
    public required DateTime Now { get; init; }
}

/// <summary>
/// Computes a pod's <see cref="V1PodStatus"/> from the runtime's state as upstream's kubelet does: container
/// states with their reasons, restart counts and last states; the phase (<c>getPhase</c>); the
/// conditions; the IPs. Pure: no I/O, so every rule has a unit test.
/// </summary>
public static class PodStatusBuilder
{
    /// <summary>The status <paramref name="pod"/> should have now; fields the agent does not own are kept.</summary>
    public static V1PodStatus Build(V1Pod pod, PodStatusInput input)
    {
        var old = pod.Status ?? new V1PodStatus();
        var spec = pod.Spec;
        var init = (spec.InitContainers ?? []).Select(c => ContainerStatus(c, input, isInit: true, initDone: true)).ToList();
        var initDone = InitializedAll(spec, init);
        var app = (spec.Containers ?? []).Select(c => ContainerStatus(c, input, isInit: false, initDone)).ToList();
        var phase = old.Phase is "Succeeded" or "Failed" ? old.Phase : Phase(spec, init, app);
        var now = Truncate(input.Now);
        var podIp = input.Runtime.SandboxReady && input.Runtime.Sandbox!.Ip.Length > 0 ? input.Runtime.Sandbox.Ip : old.PodIP;
        var podIps = podIp is null ? null
            : new List<V1PodIP> { new() { Ip = podIp } }.Concat(input.Runtime.SandboxReady ? input.Runtime.Sandbox!.AdditionalIps.Select(ip => new V1PodIP { Ip = ip }) : []).ToList();
        return new V1PodStatus
        {
            Phase = phase,
            Conditions = PodConditions.Build(pod, input.Runtime.SandboxReady, init, app, phase, now),
            Message = old.Message,
            Reason = old.Reason,
            NominatedNodeName = old.NominatedNodeName,
            HostIP = input.HostIp,
            HostIPs = [new V1HostIP { Ip = input.HostIp }],
            PodIP = podIp,
            PodIPs = podIps,
            StartTime = old.StartTime ?? now,
            InitContainerStatuses = init.Count > 0 ? init : null,
            ContainerStatuses = app,
            QosClass = old.QosClass ?? QosClass(spec),
        };
    }

    /// <summary>Upstream's pod phase from the container statuses and the restart policy.</summary>
    public static string Phase(V1PodSpec spec, IReadOnlyList<V1ContainerStatus> init, IReadOnlyList<V1ContainerStatus> app)
    {
        int pendingInit = 0, failedInit = 0;
        foreach (var s in init)
        {
            if (s.State?.Terminated is { } t) { if (t.ExitCode != 0) failedInit++; }
            else if (s.State?.Waiting is not null && s.LastState?.Terminated is { } last) { if (last.ExitCode != 0) failedInit++; }
            else pendingInit++;
        }
        if (failedInit > 0 && spec.RestartPolicy == RestartRules.Never) return "Failed";
        if (pendingInit > 0 || failedInit > 0) return "Pending";

        int running = 0, waiting = 0, stopped = 0, succeeded = 0;
        foreach (var s in app)
        {
            if (s.State?.Running is not null) running++;
            else if (s.State?.Terminated is { } t) { stopped++; if (t.ExitCode == 0) succeeded++; }
            else if (s.LastState?.Terminated is not null) stopped++;
            else waiting++;
        }
        if (waiting > 0) return "Pending";
        if (running > 0) return "Running";
        if (stopped > 0)
        {
            if (spec.RestartPolicy is null or RestartRules.Always) return "Running";
            if (stopped == succeeded) return "Succeeded";
            return spec.RestartPolicy == RestartRules.Never ? "Failed" : "Running";
        }
        return "Pending";
    }

    /// <summary>The QoS class of a pod: BestEffort without any request or limit, Guaranteed when every container's limits equal its requests for cpu and memory, else Burstable.</summary>
    public static string QosClass(V1PodSpec spec)
    {
        var containers = (spec.InitContainers ?? []).Concat(spec.Containers ?? []).ToList();
        bool Any(V1Container c) => (c.Resources?.Requests?.Count ?? 0) + (c.Resources?.Limits?.Count ?? 0) > 0;
        if (!containers.Any(Any)) return "BestEffort";
        bool Guaranteed(V1Container c) => new[] { "cpu", "memory" }.All(r =>
        {
            if (c.Resources?.Limits is not { } limits || !limits.TryGetValue(r, out var limit)) return false;
            return c.Resources.Requests is not { } requests || !requests.TryGetValue(r, out var request) || request.ToDecimal() == limit.ToDecimal();
        });
        return containers.All(Guaranteed) ? "Guaranteed" : "Burstable";
    }

    /// <summary>True when every init container exited 0.</summary>
    public static bool InitializedAll(V1PodSpec spec, IReadOnlyList<V1ContainerStatus> init) =>
        init.All(s => s.State?.Terminated?.ExitCode == 0);

    private static V1ContainerStatus ContainerStatus(V1Container c, PodStatusInput input, bool isInit, bool initDone)
    {
        input.Runtime.Containers.TryGetValue(c.Name, out var history);
        input.Waiting.TryGetValue(c.Name, out var waiting);
        var status = new V1ContainerStatus { Name = c.Name, Image = c.Image, ImageID = "", Ready = false, Started = false, RestartCount = 0 };
        if (history is null)
        {
            var reason = waiting ?? new WaitingReason(isInit || initDone ? "ContainerCreating" : "PodInitializing", "");
            status.State = Waiting(reason);
            return status;
        }
        var latest = history.Latest;
        status.RestartCount = latest.Attempt;
        status.ImageID = latest.ImageRef;
        status.ContainerID = ContainerId(input.RuntimeName, latest.Id);
        switch (latest.State)
        {
            case ContainerState.Running:
                status.State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Time(latest.StartedAt) } };
                status.Started = input.IsStarted(c.Name);
                status.Ready = !isInit && status.Started == true && input.IsReady(c.Name);
                if (history.Previous is { State: ContainerState.Exited } previous) status.LastState = Terminated(previous, input.RuntimeName);
                break;
            case ContainerState.Exited when waiting is not null:
                status.State = Waiting(waiting);
                status.LastState = Terminated(latest, input.RuntimeName);
                break;
            case ContainerState.Exited:
                status.State = Terminated(latest, input.RuntimeName);
                if (history.Previous is { State: ContainerState.Exited } before) status.LastState = Terminated(before, input.RuntimeName);
                break;
            default:
                status.State = Waiting(waiting ?? new WaitingReason("ContainerCreating", ""));
                if (history.Previous is { State: ContainerState.Exited } prior) status.LastState = Terminated(prior, input.RuntimeName);
                break;
        }
        return status;
    }

    /// <summary>The status's container id: <c>RUNTIME://ID</c>.</summary>
    public static string ContainerId(string runtimeName, string id) => $"{runtimeName}://{id}";

    private static V1ContainerState Waiting(WaitingReason w) =>
        new() { Waiting = new V1ContainerStateWaiting { Reason = w.Reason, Message = string.IsNullOrEmpty(w.Message) ? null : w.Message } };

    private static V1ContainerState Terminated(ContainerStatus s, string runtimeName) => new()
    {
        Terminated = new V1ContainerStateTerminated
        {
            ExitCode = s.ExitCode,
            Reason = string.IsNullOrEmpty(s.Reason) ? (s.ExitCode == 0 ? "Completed" : "Error") : s.Reason,
            Message = string.IsNullOrEmpty(s.Message) ? null : s.Message,
            StartedAt = Time(s.StartedAt),
            FinishedAt = Time(s.FinishedAt),
            ContainerID = ContainerId(runtimeName, s.Id),
        },
    };

    private static DateTime? Time(DateTimeOffset? t) => t is { } v ? Truncate(v.UtcDateTime) : null;

    /// <summary>API times have whole seconds; truncating keeps a written status equal to the one read back.</summary>
    internal static DateTime Truncate(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
