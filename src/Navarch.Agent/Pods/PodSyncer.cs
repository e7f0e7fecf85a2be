using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Agent.Probes;
using Navarch.Cri;
using Navarch.Client.Events;

namespace Navarch.Agent.Pods;

/// <summary>The parts a <see cref="PodSyncer"/> acts through.</summary>
/// <param name="Starter">Starts containers.</param>
/// <param name="Terminator">Stops containers and sandboxes.</param>
/// <param name="Status">Writes pod status.</param>
/// <param name="Events">Records events on pods.</param>
/// <param name="Volumes">Sets up and removes the pods' volumes.</param>
/// <param name="Projections">Writes and refreshes the pods' volumes made of API objects.</param>
public sealed record PodActions(ContainerStarter Starter, PodTerminator Terminator, PodStatusWriter Status, EventRecorder Events, PodVolumes Volumes, ProjectedVolumes Projections);

/// <summary>
/// Brings one pod's runtime state in line with its API object, as one pass of upstream's <c>SyncPod</c>:
/// tears down runtime objects of pods that are gone (or were replaced under the same name); writes the
/// volumes made of API objects (again when a refresh is due), then runs the sandbox; starts init containers
/// in order, then the app containers; restarts exited containers per restartPolicy with back-off
/// (CrashLoopBackOff) or when a liveness probe failed; terminates deleted pods gracefully and then deletes
/// them for good; finally writes the pod's status if it changed.
/// Not re-entrant per pod: the caller runs one sync per pod at a time.
/// </summary>
public sealed partial class PodSyncer(
    IKubernetes client, ICriRuntime runtime, PodActions actions, IProbeManager probes, ContainerBackOff backOff,
    PodSyncSettings settings, TimeProvider time, ILogger log)
{
    // Liveness failures waiting to be acted on: "uid/container" → event message.
    private readonly ConcurrentDictionary<string, string> _restartRequests = new();
    // Pods whose configMap, secret, downwardAPI and projected volumes are to be written again at their next sync.
    private readonly ConcurrentDictionary<string, bool> _volumeRefreshes = new();
    // Pod uid → when this agent first saw it deleted while Ready (its endpoint drain started).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _draining = new();

    /// <summary>Asks for a restart of a running container at the pod's next sync (a liveness probe failed).</summary>
    public void RequestRestart(string podUid, string container, string message) => _restartRequests[$"{podUid}/{container}"] = message;

    /// <summary>Asks for the pod's volumes made of API objects to be read and written again at its next sync (upstream's periodic remount).</summary>
    public void RequestVolumeRefresh(string podUid) => _volumeRefreshes[podUid] = true;

    /// <summary>
    /// Syncs the pod <paramref name="podNamespace"/>/<paramref name="podName"/>; <paramref name="pod"/> is its
    /// API object, null if it is gone. Returns when to sync it again (back-off, pull retry), or null for "on
    /// the next change". Throws to be retried with the queue's back-off.
    /// </summary>
    public async Task<TimeSpan?> SyncAsync(string podNamespace, string podName, V1Pod? pod, CancellationToken ct)
    {
        var sandboxes = await PodRuntimeReader.SandboxesByNameAsync(runtime, podNamespace, podName, ct);
        var foreign = sandboxes.Where(s => pod is null || s.Uid != pod.Metadata.Uid).ToList();
        if (foreign.Count > 0)
        {
            await actions.Terminator.KillAsync(null, foreign, settings.OrphanGracePeriod, removeSandboxes: true, ct);
            foreach (var uid in foreign.Select(s => s.Uid).Distinct())
            {
                Forget(podNamespace, podName, uid);
                RemoveVolumes(uid);
            }
            LogOrphanRemoved(podNamespace, podName, foreign.Count);
        }
        if (pod is null) return null;
        var own = sandboxes.Where(s => s.Uid == pod.Metadata.Uid).ToList();
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            var (wait, drained) = EndpointDrain(pod, own);
            if (wait > TimeSpan.Zero) return wait;
            await TerminateAsync(pod, own, drained, ct);
            return null;
        }
        if (pod.Status?.Phase is "Succeeded" or "Failed")
        {
            await FinishAsync(pod, own, ct);
            return null;
        }
        return await RunAsync(pod, own, ct);
    }

    private static TimeSpan GracePeriod(V1Pod pod) =>
        TimeSpan.FromSeconds(pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30);

    /// <summary>
    /// A pod deleted while Ready and running keeps serving for <see cref="PodSyncSettings.EndpointDrain"/> (at most half
    /// its grace period) from when this agent first saw the deletion, so that the proxies drop it from their Services
    /// before it stops accepting connections. Returns how long to wait still, and how much of the grace period went by.
    /// </summary>
    private (TimeSpan Wait, TimeSpan Drained) EndpointDrain(V1Pod pod, IReadOnlyList<SandboxInfo> own)
    {
        var drain = TimeSpan.FromTicks(Math.Min(settings.EndpointDrain.Ticks, GracePeriod(pod).Ticks / 2));
        var serving = own.Any(s => s.State == SandboxState.Ready)
            && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
        if (drain <= TimeSpan.Zero || (!serving && !_draining.ContainsKey(pod.Metadata.Uid))) return (TimeSpan.Zero, TimeSpan.Zero);
        var drained = time.GetUtcNow() - _draining.GetOrAdd(pod.Metadata.Uid, time.GetUtcNow());
        return drained < drain ? (drain - drained, drained) : (TimeSpan.Zero, drained);
    }

    private async Task TerminateAsync(V1Pod pod, IReadOnlyList<SandboxInfo> own, TimeSpan drained, CancellationToken ct)
    {
        // The drain counts against the grace period, as a preStop hook's time does.
        var grace = GracePeriod(pod);
        grace = grace > drained ? grace - drained : TimeSpan.Zero;
        await actions.Terminator.KillAsync(pod, own, grace, removeSandboxes: true, ct);
        Forget(pod.Metadata.NamespaceProperty, pod.Metadata.Name, pod.Metadata.Uid);
        RemoveVolumes(pod.Metadata.Uid);
        try
        {
            // The final delete: only this pod (uid precondition), now that nothing of it runs.
            await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty,
                new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } }, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict)
        {
        }
        LogTerminated(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
    }

    /// <summary>
    /// At start: removes the volumes of pods that are neither among <paramref name="podUids"/> (this node's, from the
    /// API) nor have a sandbox left (those go with the sandbox, when the orphan pass removes it).
    /// </summary>
    public async Task RemoveLeftoverVolumesAsync(IEnumerable<string> podUids, CancellationToken ct)
    {
        if (!actions.Volumes.OnDisk) return;
        var keep = new HashSet<string>(podUids, StringComparer.Ordinal);
        foreach (var sandbox in await runtime.ListSandboxesAsync(null, ct)) keep.Add(sandbox.Uid);
        try
        {
            foreach (var uid in actions.Volumes.RemoveAllBut(keep)) LogLeftoverVolumesRemoved(uid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or VolumeException)
        {
            LogVolumeCleanupFailed("(leftovers)", e.Message);
        }
    }

    /// <summary>The pod's emptyDirs go with its containers; a failure is logged (the next orphan pass cannot see them).</summary>
    private void RemoveVolumes(string podUid)
    {
        try
        {
            actions.Volumes.Remove(podUid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or VolumeException)
        {
            LogVolumeCleanupFailed(podUid, e.Message);
        }
    }

    // A pod that reached Succeeded or Failed keeps its exited containers (for logs) but not its sandbox.
    private async Task FinishAsync(V1Pod pod, IReadOnlyList<SandboxInfo> own, CancellationToken ct)
    {
        foreach (var s in own.Where(s => s.State == SandboxState.Ready)) await runtime.StopSandboxAsync(s.Id, ct);
        probes.Remove(pod.Metadata.Uid);
        var view = await PodRuntimeReader.ReadAsync(runtime, PodRuntimeReader.Newest(own), ct);
        await actions.Status.WriteAsync(pod, BuildStatus(pod, view, new Dictionary<string, WaitingReason>()), ct);
    }

    private async Task<TimeSpan?> RunAsync(V1Pod pod, IReadOnlyList<SandboxInfo> own, CancellationToken ct)
    {
        if (!await SetUpProjectedVolumesAsync(pod, ct))
        {
            // As upstream: no sandbox until the volumes are there; the containers wait in ContainerCreating.
            var waiting = await PodRuntimeReader.ReadAsync(runtime, PodRuntimeReader.Newest(own), ct);
            await actions.Status.WriteAsync(pod, BuildStatus(pod, waiting, new Dictionary<string, WaitingReason>()), ct);
            return settings.MountRetry ?? TimeSpan.FromSeconds(10);
        }
        var (sandbox, sandboxSpec) = await EnsureSandboxAsync(pod, own, ct);
        var view = await PodRuntimeReader.ReadAsync(runtime, sandbox, ct);
        var run = new SyncPass(pod, sandbox.Id, sandboxSpec, view.Sandbox?.Ip ?? "");

        var initDone = true;
        foreach (var c in pod.Spec.InitContainers ?? [])
        {
            view.Containers.TryGetValue(c.Name, out var h);
            if (h is { Latest: { State: ContainerState.Exited, ExitCode: 0 } }) continue;
            initDone = false;
            if (h is null) await StartAsync(run, c, 0, ct);
            else if (h.Latest.State is ContainerState.Created or ContainerState.Unknown) await StartExistingAsync(run, c, h, ct);
            else if (h.Latest.State == ContainerState.Exited && RestartRules.ShouldRestartInit(pod.Spec.RestartPolicy, h.Latest.ExitCode)) await RestartAsync(run, c, h, ct);
            break;
        }
        if (initDone)
        {
            foreach (var c in pod.Spec.Containers ?? [])
            {
                view.Containers.TryGetValue(c.Name, out var h);
                if (h is null) { await StartAsync(run, c, 0, ct); continue; }
                if (h.Latest.State == ContainerState.Running && _restartRequests.TryRemove($"{pod.Metadata.Uid}/{c.Name}", out var why))
                {
                    await actions.Terminator.StopContainerAsync(pod, h.Latest, run.PodIp, Grace(pod), ct, why);
                    h = h with { Latest = await runtime.ContainerStatusAsync(h.Latest.Id, ct) };
                }
                if (h.Latest.State is ContainerState.Created or ContainerState.Unknown) await StartExistingAsync(run, c, h, ct);
                else if (h.Latest.State == ContainerState.Exited && RestartRules.ShouldRestart(pod.Spec.RestartPolicy, h.Latest.ExitCode)) await RestartAsync(run, c, h, ct);
            }
        }

        if (run.Acted) view = await PodRuntimeReader.ReadAsync(runtime, sandbox, ct);
        var running = view.Containers.Values.Where(h => h.Latest.State == ContainerState.Running)
            .ToDictionary(h => h.Latest.Name, h => new RunningContainer(h.Latest.Id, h.Latest.StartedAt ?? time.GetUtcNow()));
        probes.Update(pod, run.PodIp.Length > 0 ? run.PodIp : null, running);
        var status = BuildStatus(pod, view, run.Waiting);
        await actions.Status.WriteAsync(pod, status, ct);
        if (status.Phase is "Succeeded" or "Failed")
        {
            await runtime.StopSandboxAsync(sandbox.Id, ct);
            probes.Remove(pod.Metadata.Uid);
        }
        return run.Retry;
    }

    /// <summary>
    /// Writes the pod's configMap, secret, downwardAPI and projected volumes when they never were or a refresh is due;
    /// returns whether they are in place. A failure is a FailedMount event with upstream's words; a pod whose volumes
    /// were written once keeps running on the files it has.
    /// </summary>
    private async Task<bool> SetUpProjectedVolumesAsync(V1Pod pod, CancellationToken ct)
    {
        var due = _volumeRefreshes.TryRemove(pod.Metadata.Uid, out _);
        var projections = actions.Projections;
        if (projections.IsSetUp(pod) && !due) return true;
        try
        {
            await projections.SetUpAsync(pod, ct);
            return true;
        }
        catch (VolumeException e)
        {
            LogVolumeSetUpFailed(pod.Metadata.NamespaceProperty, pod.Metadata.Name, e.Volume, e.Message);
            await actions.Events.WarningAsync(pod, "FailedMount", $"MountVolume.SetUp failed for volume \"{e.Volume}\" : {e.Message}", ct);
            return projections.IsSetUp(pod);
        }
    }

    private async Task<(SandboxInfo Sandbox, SandboxSpec Spec)> EnsureSandboxAsync(V1Pod pod, IReadOnlyList<SandboxInfo> own, CancellationToken ct)
    {
        var newest = PodRuntimeReader.Newest(own);
        if (newest is { State: SandboxState.Ready }) return (newest, Spec(pod, newest.Attempt));
        var attempt = 0;
        if (newest is not null)
        {
            // The sandbox died under its containers: upstream kills what is left and starts a new one.
            await actions.Events.NormalAsync(pod, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.", ct);
            await actions.Terminator.KillAsync(pod, own, TimeSpan.Zero, removeSandboxes: true, ct);
            attempt = newest.Attempt + 1;
        }
        var spec = Spec(pod, attempt);
        string id;
        try
        {
            if (spec.LogDirectory.Length > 0) Directory.CreateDirectory(spec.LogDirectory);
            id = await runtime.RunSandboxAsync(spec, ct);
        }
        catch (RuntimeException e) when (e.Code != RuntimeErrorCode.Unavailable)
        {
            await actions.Events.WarningAsync(pod, "FailedCreatePodSandBox", $"Failed to create pod sandbox: {e.Message}", ct);
            throw;
        }
        var created = await runtime.SandboxStatusAsync(id, ct);
        return (created, spec);
    }

    private SandboxSpec Spec(V1Pod pod, int attempt) =>
        RuntimeSpecs.Sandbox(pod, attempt, settings.NodeDns, settings.LogRoot, settings.CgroupRoot, settings.ClusterDns);

    private async Task StartAsync(SyncPass run, V1Container c, int restartCount, CancellationToken ct)
    {
        run.Acted = true;
        var failed = await actions.Starter.StartAsync(run.Pod, c, restartCount, run.SandboxId, run.SandboxSpec, run.PodIp, ct);
        if (failed is { } f) run.Wait(c.Name, f.Reason, f.Retry);
    }

    // A container that was created but never started (its start failed): start it again.
    private async Task StartExistingAsync(SyncPass run, V1Container c, ContainerHistory h, CancellationToken ct)
    {
        run.Acted = true;
        await runtime.RemoveContainerAsync(h.Latest.Id, ct);
        await StartAsync(run, c, h.Latest.Attempt, ct);
    }

    private async Task RestartAsync(SyncPass run, V1Container c, ContainerHistory h, CancellationToken ct)
    {
        var pod = run.Pod;
        var key = ContainerBackOff.Key(pod.Metadata.Name, pod.Metadata.NamespaceProperty, pod.Metadata.Uid, c.Name);
        var remaining = backOff.Remaining(key, h.Latest.FinishedAt ?? time.GetUtcNow());
        var podRef = $"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})";
        if (remaining > TimeSpan.Zero)
        {
            var delay = GoDuration.Format(backOff.Delay(key));
            run.Wait(c.Name, new WaitingReason("CrashLoopBackOff", $"back-off {delay} restarting failed container={c.Name} pod={podRef}"), remaining);
            await actions.Events.WarningAsync(pod, "BackOff", $"Back-off restarting failed container {c.Name} in pod {podRef}", ct);
            return;
        }
        backOff.Next(key);
        // Keep the newest dead instance for lastState and logs --previous; older ones go.
        if (h.Previous is not null) await runtime.RemoveContainerAsync(h.Previous.Id, ct);
        await StartAsync(run, c, h.Latest.Attempt + 1, ct);
    }

    private V1PodStatus BuildStatus(V1Pod pod, PodRuntimeView view, IReadOnlyDictionary<string, WaitingReason> waiting) =>
        PodStatusBuilder.Build(pod, new PodStatusInput
        {
            Runtime = view,
            Waiting = waiting,
            IsReady = name => probes.IsReady(pod.Metadata.Uid, name),
            IsStarted = name => probes.IsStarted(pod.Metadata.Uid, name),
            HostIp = settings.NodeIp,
            RuntimeName = settings.RuntimeName,
            Now = time.GetUtcNow().UtcDateTime,
        });

    private static TimeSpan Grace(V1Pod pod) => TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30);

    private void Forget(string podNamespace, string podName, string uid)
    {
        probes.Remove(uid);
        actions.Projections.Forget(uid);
        _volumeRefreshes.TryRemove(uid, out _);
        _draining.TryRemove(uid, out _);
        backOff.ResetPrefix(ContainerBackOff.Key(podName, podNamespace, uid, ""));
        foreach (var k in _restartRequests.Keys.Where(k => k.StartsWith(uid + "/", StringComparison.Ordinal))) _restartRequests.TryRemove(k, out _);
        var logs = RuntimeSpecs.LogDirectory(settings.LogRoot, podNamespace, podName, uid);
        try { if (logs.Length > 0 && Directory.Exists(logs)) Directory.Delete(logs, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The state of one sync pass: what it did and why containers wait.</summary>
    private sealed class SyncPass(V1Pod pod, string sandboxId, SandboxSpec sandboxSpec, string podIp)
    {
        public V1Pod Pod { get; } = pod;
        public string SandboxId { get; } = sandboxId;
        public SandboxSpec SandboxSpec { get; } = sandboxSpec;
        public string PodIp { get; } = podIp;
        public Dictionary<string, WaitingReason> Waiting { get; } = [];
        public bool Acted { get; set; }
        public TimeSpan? Retry { get; private set; }

        public void Wait(string container, WaitingReason reason, TimeSpan retry)
        {
            Waiting[container] = reason;
            if (retry > TimeSpan.Zero && (Retry is null || retry < Retry)) Retry = retry;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "removed {Count} sandbox(es) of {Namespace}/{Name} whose pod is gone")]
    private partial void LogOrphanRemoved(string @namespace, string name, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "pod {Namespace}/{Name} terminated and deleted")]
    private partial void LogTerminated(string @namespace, string name);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "volumes of pod {Uid} not removed: {Reason}")]
    private partial void LogVolumeCleanupFailed(string uid, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "removed the volumes of pod {Uid}, gone while the agent was away")]
    private partial void LogLeftoverVolumesRemoved(string uid);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "volume {Volume} of pod {Namespace}/{Name} not written: {Reason}")]
    private partial void LogVolumeSetUpFailed(string @namespace, string name, string volume, string reason);
}
