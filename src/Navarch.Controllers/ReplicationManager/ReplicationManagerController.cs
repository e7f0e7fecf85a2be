using Navarch.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Selectors;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;

namespace Navarch.Controllers.ReplicationManager;

/// <summary>
/// The ReplicationController manager (upstream's pkg/controller/replication): keeps <c>spec.replicas</c> active
/// pods per controller by creating, deleting, adopting and releasing pods, and keeps its status true.
/// </summary>
public sealed partial class ReplicationManagerController : Controller, IControllerLoop
{
    private readonly IKubernetes _client;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1ReplicationController> _rcs;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly int _workers;
    private readonly ILogger _log;

    public ReplicationManagerController(ControllerContext ctx)
        : base("replicationmanager", ctx.Loggers.CreateLogger<ReplicationManagerController>(), ctx.Time)
    {
        _client = ctx.Client;
        _pods = ctx.Informers.Pods;
        _rcs = ctx.Informers.ReplicationControllers;
        _events = ctx.Recorder("replication-controller");
        _time = ctx.Time;
        _workers = ctx.Options.ConcurrentSyncs;
        _log = ctx.Loggers.CreateLogger<ReplicationManagerController>();
        Expectations = new ControllerExpectations(ctx.Time);
        _rcs.AddHandlers(new EventHandlers<V1ReplicationController>
        {
            OnAdd = rc => Queue.Add(ObjectKey.Of(rc)),
            OnUpdate = (_, rc) => Queue.Add(ObjectKey.Of(rc)),
            OnDelete = rc =>
            {
                Expectations.Forget(ObjectKey.Of(rc));
                Queue.Add(ObjectKey.Of(rc));
            },
        });
        _pods.AddHandlers(new EventHandlers<V1Pod> { OnAdd = PodAdded, OnUpdate = PodUpdated, OnDelete = PodDeleted });
    }

    /// <summary>The creates and deletes each controller waits to see.</summary>
    internal ControllerExpectations Expectations { get; }

    public Task RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await _pods.WaitForSyncAsync(ct);
        await _rcs.WaitForSyncAsync(ct);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        var rc = _rcs.Get(key);
        if (rc is null)
        {
            Expectations.Forget(key);
            return;
        }
        var countable = Expectations.Satisfied(key);
        var claim = ReplicaDecisions.Claim(rc, _pods.List(rc.Metadata.NamespaceProperty));
        var owned = claim.Owned.ToList();
        owned.AddRange(await AdoptAsync(rc, claim.Adopt, ct));
        await ReleaseAsync(rc, claim.Release, ct);

        (string Reason, string Message)? failure = null;
        Exception? error = null;
        if (countable && rc.Metadata.DeletionTimestamp is null)
        {
            var decision = ReplicaDecisions.Scale(rc.Spec?.Replicas ?? 1, owned, _time.GetUtcNow());
            try
            {
                if (decision.Create > 0) await CreatePodsAsync(key, rc, decision.Create, ct);
                if (decision.Delete.Count > 0) await DeletePodsAsync(key, rc, decision.Delete, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e;
                failure = (decision.Create > 0 ? "FailedCreate" : "FailedDelete", ApiErrors.Message(e));
            }
        }

        var status = ReplicaDecisions.Status(rc, owned, failure, _time.GetUtcNow());
        await WriteStatusAsync(rc, status, ct);
        if (error is not null) throw error;

        // Pods turn available minReadySeconds after they turn ready, with no event to say so: look again then.
        var minReady = rc.Spec?.MinReadySeconds ?? 0;
        if (minReady > 0 && status.ReadyReplicas == (rc.Spec?.Replicas ?? 1) && status.AvailableReplicas != status.ReadyReplicas)
            Queue.AddAfter(key, TimeSpan.FromSeconds(minReady));
    }

    private async Task CreatePodsAsync(string key, V1ReplicationController rc, int count, CancellationToken ct)
    {
        Expectations.ExpectCreations(key, count);
        var (succeeded, error) = await SlowStart.RunAsync(count, 1, async () =>
        {
            try
            {
                var created = await _client.CoreV1.CreateNamespacedPodAsync(PodTemplate.NewPod(rc), rc.Metadata.NamespaceProperty, cancellationToken: ct);
                await _events.NormalAsync(rc, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}", ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!ApiErrors.IsNamespaceTerminating(e)) await _events.WarningAsync(rc, "FailedCreate", $"Error creating: {ApiErrors.Message(e)}", ct);
                throw;
            }
        });
        // Creates that failed or never ran will never be observed.
        for (var i = succeeded; i < count; i++) Expectations.CreationObserved(key);
        if (error is not null && !ApiErrors.IsNamespaceTerminating(error)) throw error;
    }

    private async Task DeletePodsAsync(string key, V1ReplicationController rc, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        Expectations.ExpectDeletions(key, pods.Select(ObjectKey.Of));
        var errors = await Task.WhenAll(pods.Select(async pod =>
        {
            try
            {
                await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                await _events.NormalAsync(rc, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}", ct);
                return null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The informer will not see this delete: lower the expectation now.
                Expectations.DeletionObserved(key, ObjectKey.Of(pod));
                if (ApiErrors.IsNotFound(e)) return null;
                await _events.WarningAsync(rc, "FailedDelete", $"Error deleting: {ApiErrors.Message(e)}", ct);
                return e;
            }
        }));
        if (errors.FirstOrDefault(e => e is not null) is { } first) throw first;
    }

    private async Task<IReadOnlyList<V1Pod>> AdoptAsync(V1ReplicationController rc, IReadOnlyList<V1Pod> orphans, CancellationToken ct)
    {
        if (orphans.Count == 0) return [];
        // Upstream's canAdopt: the cache may hold a controller that is already gone or being deleted.
        var fresh = await _client.CoreV1.ReadNamespacedReplicationControllerAsync(rc.Metadata.Name, rc.Metadata.NamespaceProperty, cancellationToken: ct);
        if (fresh.Metadata.Uid != rc.Metadata.Uid || fresh.Metadata.DeletionTimestamp is not null) return [];
        var adopted = new List<V1Pod>();
        var ownerRef = KubernetesJson.Serialize(PodTemplate.ControllerRef(rc));
        foreach (var pod in orphans)
        {
            var patch = $$$"""{"metadata":{"ownerReferences":[{{{ownerRef}}}],"uid":"{{{pod.Metadata.Uid}}}"}}""";
            try
            {
                adopted.Add(await _client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch),
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct));
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
            }
        }
        return adopted;
    }

    private async Task ReleaseAsync(V1ReplicationController rc, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        foreach (var pod in pods)
        {
            var patch = $$$"""{"metadata":{"ownerReferences":[{"$patch":"delete","uid":"{{{rc.Metadata.Uid}}}"}],"uid":"{{{pod.Metadata.Uid}}}"}}""";
            try
            {
                await _client.CoreV1.PatchNamespacedPodAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch),
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                LogReleased(ObjectKey.Of(rc), pod.Metadata.Name);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsInvalid(e))
            {
                // Gone, or its owner list changed under us: nothing to release.
            }
        }
    }

    private async Task WriteStatusAsync(V1ReplicationController rc, V1ReplicationControllerStatus status, CancellationToken ct)
    {
        if (ReplicaDecisions.SameStatus(rc.Status, status)) return;
        var copy = KubernetesJson.Deserialize<V1ReplicationController>(KubernetesJson.Serialize(rc));
        copy.Status = status;
        try
        {
            await _client.CoreV1.ReplaceNamespacedReplicationControllerStatusAsync(copy, rc.Metadata.Name, rc.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // One retry on the latest version (upstream's statusUpdateRetries); a second conflict re-queues.
            var fresh = await _client.CoreV1.ReadNamespacedReplicationControllerAsync(rc.Metadata.Name, rc.Metadata.NamespaceProperty, cancellationToken: ct);
            if (fresh.Metadata.Uid != rc.Metadata.Uid) return;
            status.ObservedGeneration = rc.Metadata.Generation;
            fresh.Status = status;
            await _client.CoreV1.ReplaceNamespacedReplicationControllerStatusAsync(fresh, rc.Metadata.Name, rc.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    private void PodAdded(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            // A pod that shows up already terminating (e.g. after a re-list) must not count as a create.
            PodDeleted(pod);
            return;
        }
        if (PodFacts.ControllerOf(pod) is { } owner)
        {
            if (Resolve(pod.Metadata.NamespaceProperty, owner) is not { } rc) return;
            var key = ObjectKey.Of(rc);
            Expectations.CreationObserved(key);
            Queue.Add(key);
            return;
        }
        foreach (var rc in Matching(pod)) Queue.Add(ObjectKey.Of(rc));
    }

    private void PodUpdated(V1Pod old, V1Pod cur)
    {
        // Same version: a periodic resync, nothing changed.
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion) return;
        var labelsChanged = !SameLabels(old.Metadata.Labels, cur.Metadata.Labels);
        if (cur.Metadata.DeletionTimestamp is not null)
        {
            // Terminating pods do not count; their controller should know at once, not after the grace period.
            PodDeleted(cur);
            if (labelsChanged) PodDeleted(old);
            return;
        }
        var curRef = PodFacts.ControllerOf(cur);
        var oldRef = PodFacts.ControllerOf(old);
        var refChanged = curRef?.Uid != oldRef?.Uid;
        if (refChanged && oldRef is not null && Resolve(old.Metadata.NamespaceProperty, oldRef) is { } previous)
            Queue.Add(ObjectKey.Of(previous));
        if (curRef is not null)
        {
            if (Resolve(cur.Metadata.NamespaceProperty, curRef) is not { } rc) return;
            var key = ObjectKey.Of(rc);
            Queue.Add(key);
            var minReady = rc.Spec?.MinReadySeconds ?? 0;
            if (minReady > 0 && !PodFacts.IsReady(old) && PodFacts.IsReady(cur))
                Queue.AddAfter(key, TimeSpan.FromSeconds(minReady + 1));
            return;
        }
        if (labelsChanged || refChanged)
            foreach (var rc in Matching(cur)) Queue.Add(ObjectKey.Of(rc));
    }

    private void PodDeleted(V1Pod pod)
    {
        if (PodFacts.ControllerOf(pod) is not { } owner || Resolve(pod.Metadata.NamespaceProperty, owner) is not { } rc) return;
        var key = ObjectKey.Of(rc);
        Expectations.DeletionObserved(key, ObjectKey.Of(pod));
        Queue.Add(key);
    }

    /// <summary>The cached controller an ownerReference names, if it is a ReplicationController with that uid.</summary>
    private V1ReplicationController? Resolve(string? ns, V1OwnerReference owner)
    {
        if (owner.Kind != "ReplicationController" || owner.ApiVersion != "v1") return null;
        var rc = _rcs.Get(ns, owner.Name);
        return rc?.Metadata.Uid == owner.Uid ? rc : null;
    }

    private IEnumerable<V1ReplicationController> Matching(V1Pod pod) =>
        _rcs.List(pod.Metadata.NamespaceProperty).Where(rc =>
            LabelSelector.FromSet(rc.Spec?.Selector) is { IsEverything: false } s && s.Matches(pod.Metadata.Labels));

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Controller}: released pod {Pod} (its labels no longer match)")]
    private partial void LogReleased(string controller, string pod);
}
