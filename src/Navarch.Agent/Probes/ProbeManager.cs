using k8s.Models;

namespace Navarch.Agent.Probes;

/// <summary>
/// <see cref="IProbeManager"/>: one <see cref="ProbeWorker"/> per (pod, container, probe kind), replaced when the
/// container is restarted (new id) and stopped when it stops running or the pod goes. Probes run from the agent's own
/// network namespace (the node's), aiming at the pod IP.
/// </summary>
public sealed class ProbeManager : IProbeManager, IDisposable
{
    /// <summary>The event reason upstream uses for failed probes.</summary>
    public const string UnhealthyReason = "Unhealthy";

    private readonly IProber _prober;
    private readonly TimeProvider _time;
    private readonly Action<V1Pod, string, string>? _unhealthy;

    // Guards _pods and every PodProbes in it; never held while calling out (events, prober).
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PodProbes> _pods = [];

    /// <param name="prober">Runs single attempts (<see cref="Prober"/> in the agent).</param>
    /// <param name="time">The clock of the probe timers.</param>
    /// <param name="unhealthy">
    /// Called for every failed or errored attempt with (pod, container name, message such as
    /// <c>Readiness probe failed: HTTP probe failed with statuscode: 500</c>), to record a Warning event with reason
    /// <see cref="UnhealthyReason"/>. Runs on a timer thread: it must not block.
    /// </param>
    public ProbeManager(IProber prober, TimeProvider time, Action<V1Pod, string, string>? unhealthy = null)
    {
        _prober = prober;
        _time = time;
        _unhealthy = unhealthy;
    }

    /// <inheritdoc />
    public event Action<string>? Changed;

    /// <inheritdoc />
    public event Action<string, string, string>? Failed;

    /// <inheritdoc />
    public void Update(V1Pod pod, string? podIp, IReadOnlyDictionary<string, RunningContainer> running)
    {
        var uid = pod.Metadata.Uid;
        var stopped = new List<ProbeWorker>();
        var created = new List<ProbeWorker>();
        lock (_lock)
        {
            if (!_pods.TryGetValue(uid, out var entry)) _pods[uid] = entry = new PodProbes();
            entry.Pod = pod;
            entry.PodIp = podIp ?? "";
            entry.Running = new Dictionary<string, RunningContainer>(running);
            foreach (var (key, worker) in entry.Workers.ToList())
            {
                if (running.TryGetValue(key.Container, out var now) && now.ContainerId == worker.ContainerId) continue;
                entry.Workers.Remove(key);
                stopped.Add(worker);
            }
            foreach (var container in pod.Spec?.Containers ?? [])
            {
                if (!running.TryGetValue(container.Name, out var instance)) continue;
                foreach (var (kind, probe) in ProbesOf(container))
                {
                    if (entry.Workers.ContainsKey((container.Name, kind))) continue;
                    var worker = NewWorker(uid, entry, container, kind, probe, instance);
                    entry.Workers[(container.Name, kind)] = worker;
                    created.Add(worker);
                }
            }
        }
        foreach (var worker in stopped) worker.Dispose();
        foreach (var worker in created) worker.Start();
    }

    /// <inheritdoc />
    public void Remove(string podUid)
    {
        PodProbes? entry;
        lock (_lock)
        {
            if (!_pods.Remove(podUid, out entry)) return;
        }
        foreach (var worker in entry.Workers.Values) worker.Dispose();
    }

    /// <inheritdoc />
    public bool IsReady(string podUid, string container)
    {
        lock (_lock)
        {
            if (!_pods.TryGetValue(podUid, out var entry) || !entry.Running.ContainsKey(container)) return false;
            if (!StartedLocked(entry, container)) return false;
            return !entry.Workers.TryGetValue((container, ProbeKind.Readiness), out var readiness) || readiness.Result;
        }
    }

    /// <inheritdoc />
    public bool IsStarted(string podUid, string container)
    {
        lock (_lock)
        {
            return _pods.TryGetValue(podUid, out var entry) && entry.Running.ContainsKey(container) && StartedLocked(entry, container);
        }
    }

    /// <summary>Stops every worker.</summary>
    public void Dispose()
    {
        List<ProbeWorker> all;
        lock (_lock)
        {
            all = _pods.Values.SelectMany(p => p.Workers.Values).ToList();
            _pods.Clear();
        }
        foreach (var worker in all) worker.Dispose();
    }

    private static bool StartedLocked(PodProbes entry, string container) =>
        !entry.Workers.TryGetValue((container, ProbeKind.Startup), out var startup) || startup.Result;

    private static IEnumerable<(ProbeKind, V1Probe)> ProbesOf(V1Container container)
    {
        if (container.StartupProbe is not null) yield return (ProbeKind.Startup, container.StartupProbe);
        if (container.LivenessProbe is not null) yield return (ProbeKind.Liveness, container.LivenessProbe);
        if (container.ReadinessProbe is not null) yield return (ProbeKind.Readiness, container.ReadinessProbe);
    }

    private ProbeWorker NewWorker(string uid, PodProbes entry, V1Container container, ProbeKind kind, V1Probe probe, RunningContainer instance)
    {
        var name = container.Name;
        return new ProbeWorker(kind, probe, instance.ContainerId, instance.StartedAt,
            target: () => new ProbeTarget(probe, container, Volatile.Read(ref entry.PodIp), instance.ContainerId),
            started: () => IsStarted(uid, name),
            _prober, _time,
            resultChanged: (worker, result, message) => OnResultChanged(uid, name, entry, worker, result, message),
            unhealthy: (_, message) => _unhealthy?.Invoke(entry.Pod, name, message));
    }

    private void OnResultChanged(string uid, string container, PodProbes entry, ProbeWorker worker, bool result, string message)
    {
        lock (_lock)
        {
            // A worker replaced (or a pod removed) while its attempt ran has nothing to say any more.
            if (!_pods.TryGetValue(uid, out var current) || current != entry
                || !entry.Workers.TryGetValue((container, worker.Kind), out var live) || live != worker) return;
        }
        if (worker.Kind == ProbeKind.Liveness || (worker.Kind == ProbeKind.Startup && !result))
        {
            if (!result) Failed?.Invoke(uid, container, message);
            return;
        }
        Changed?.Invoke(uid);
    }

    /// <summary>The probe state of one pod.</summary>
    private sealed class PodProbes
    {
        public V1Pod Pod = new();
        public string PodIp = "";
        public Dictionary<string, RunningContainer> Running = [];
        public readonly Dictionary<(string Container, ProbeKind Kind), ProbeWorker> Workers = [];
    }
}
