using k8s.Models;

namespace Navarch.Agent.Probes;

/// <summary>A container the pod sync has running, for the probes to aim at.</summary>
public sealed record RunningContainer(string ContainerId, DateTimeOffset StartedAt);

/// <summary>
/// Runs the liveness, readiness and startup probes of the pods on this node, each on its own timer
/// (initialDelaySeconds, periodSeconds, timeoutSeconds, successThreshold, failureThreshold), and tells the
/// pod sync when a result changes. The pod sync owns containers; the probe manager only observes and reports.
/// </summary>
public interface IProbeManager
{
    /// <summary>Called after every pod sync with the containers now running (by container name); starts,
    /// restarts (new container id) or stops probe workers to match.</summary>
    void Update(V1Pod pod, string? podIp, IReadOnlyDictionary<string, RunningContainer> running);

    /// <summary>Stops every worker of a pod that is gone.</summary>
    void Remove(string podUid);

    /// <summary>Readiness of a running container: false until its readiness probe succeeds (and its startup
    /// probe, if any, has); true for a started container without a readiness probe.</summary>
    bool IsReady(string podUid, string container);

    /// <summary>True once the startup probe succeeded, or when there is none.</summary>
    bool IsStarted(string podUid, string container);

    /// <summary>A readiness or startup result changed: the pod's status needs writing (argument: pod UID).</summary>
    event Action<string>? Changed;

    /// <summary>A liveness (or startup) probe failed failureThreshold times: the container must be restarted
    /// (arguments: pod UID, container name, message for the event, e.g. "Liveness probe failed: HTTP probe failed with statuscode: 500").</summary>
    event Action<string, string, string>? Failed;
}
