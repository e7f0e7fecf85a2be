using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Selectors;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.ReplicaSet;

/// <summary>
/// The ReplicaSet controller (upstream's pkg/controller/replicaset), over any <see cref="IReplicaKind"/>: keeps
/// <c>spec.replicas</c> active pods per set by creating, deleting, adopting and releasing pods, and keeps its
/// status true. With <see cref="ReplicationManager.ReplicationControllerKind"/> it is the replication manager.
/// </summary>
public sealed partial class ReplicaSetController : Controller, IControllerLoop
{
    private readonly IKubernetes _client;
    private readonly IReplicaKind _kind;
    private readonly Informer<V1Pod> _pods;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly int _workers;
    private readonly ILogger _log;

    public ReplicaSetController(ControllerContext ctx, IReplicaKind kind)
        : base(kind.LoopName, ctx.Loggers.CreateLogger<ReplicaSetController>(), ctx.Time)
    {
        _client = ctx.Client;
        _kind = kind;
        _pods = ctx.Informers.Pods;
        _events = ctx.Recorder(kind.EventSource);
        _time = ctx.Time;
        _workers = ctx.Options.ConcurrentSyncs;
        _log = ctx.Loggers.CreateLogger<ReplicaSetController>();
        Expectations = new ControllerExpectations(ctx.Time);
        kind.AddHandlers(new EventHandlers<V1ReplicaSet>
        {
            OnAdd = rs => Queue.Add(ObjectKey.Of(rs)),
            OnUpdate = (_, rs) => Queue.Add(ObjectKey.Of(rs)),
            OnDelete = rs =>
            {
                Expectations.Forget(ObjectKey.Of(rs));
                Queue.Add(ObjectKey.Of(rs));
            },
        });
        _pods.AddHandlers(new EventHandlers<V1Pod> { OnAdd = PodAdded, OnUpdate = PodUpdated, OnDelete = PodDeleted });
    }

    /// <summary>The creates and deletes each set waits to see.</summary>
    internal ControllerExpectations Expectations { get; }

    public Task RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await _pods.WaitForSyncAsync(ct);
        await _kind.WaitForSyncAsync(ct);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        var rs = _kind.Get(key);
        if (rs is null)
        {
            Expectations.Forget(key);
            return;
        }
        var countable = Expectations.Satisfied(key);
        var claim = ReplicaDecisions.Claim(rs, _pods.List(rs.Metadata.NamespaceProperty));
        var owned = claim.Owned.ToList();
        owned.AddRange(await AdoptAsync(rs, claim.Adopt, ct));
        await ReleaseAsync(rs, claim.Release, ct);

        (string Reason, string Message)? failure = null;
        Exception? error = null;
        if (countable && rs.Metadata.DeletionTimestamp is null)
        {
            var decision = ReplicaDecisions.Scale(rs.Spec?.Replicas ?? 1, owned, _time.GetUtcNow());
            try
            {
                if (decision.Create > 0) await CreatePodsAsync(key, rs, decision.Create, ct);
                if (decision.Delete.Count > 0) await DeletePodsAsync(key, rs, decision.Delete, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e;
                failure = (decision.Create > 0 ? "FailedCreate" : "FailedDelete", ApiErrors.Message(e));
            }
        }

        var status = ReplicaDecisions.Status(rs, owned, failure, _time.GetUtcNow());
        await WriteStatusAsync(rs, status, ct);
        if (error is not null) throw error;

        // Pods turn available minReadySeconds after they turn ready, with no event to say so: look again then.
        var minReady = rs.Spec?.MinReadySeconds ?? 0;
        if (minReady > 0 && status.ReadyReplicas == (rs.Spec?.Replicas ?? 1) && status.AvailableReplicas != status.ReadyReplicas)
            Queue.AddAfter(key, TimeSpan.FromSeconds(minReady));
    }

    private async Task CreatePodsAsync(string key, V1ReplicaSet rs, int count, CancellationToken ct)
    {
        Expectations.ExpectCreations(key, count);
        var ownerRef = ControllerRefs.For(_kind.ApiVersion, _kind.Kind, rs.Metadata);
        var (succeeded, error) = await SlowStart.RunAsync(count, 1, async () =>
        {
            try
            {
                var created = await _client.CoreV1.CreateNamespacedPodAsync(PodTemplate.NewPod(rs.Spec?.Template, rs.Metadata, ownerRef),
                    rs.Metadata.NamespaceProperty, cancellationToken: ct);
                await _events.NormalAsync(rs, "SuccessfulCreate", $"Created pod: {created.Metadata.Name}", ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!ApiErrors.IsNamespaceTerminating(e)) await _events.WarningAsync(rs, "FailedCreate", $"Error creating: {ApiErrors.Message(e)}", ct);
                throw;
            }
        });
        // Creates that failed or never ran will never be observed.
        for (var i = succeeded; i < count; i++) Expectations.CreationObserved(key);
        if (error is not null && !ApiErrors.IsNamespaceTerminating(error)) throw error;
    }

    private async Task DeletePodsAsync(string key, V1ReplicaSet rs, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        Expectations.ExpectDeletions(key, pods.Select(ObjectKey.Of));
        var errors = await Task.WhenAll(pods.Select(async pod =>
        {
            try
            {
                await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                await _events.NormalAsync(rs, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}", ct);
                return null;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The informer will not see this delete: lower the expectation now.
                Expectations.DeletionObserved(key, ObjectKey.Of(pod));
                if (ApiErrors.IsNotFound(e)) return null;
                await _events.WarningAsync(rs, "FailedDelete", $"Error deleting: {ApiErrors.Message(e)}", ct);
                return e;
            }
        }));
        if (errors.FirstOrDefault(e => e is not null) is { } first) throw first;
    }

    private async Task<IReadOnlyList<V1Pod>> AdoptAsync(V1ReplicaSet rs, IReadOnlyList<V1Pod> orphans, CancellationToken ct)
    {
        if (orphans.Count == 0) return [];
        // Upstream's canAdopt: the cache may hold a set that is already gone or being deleted.
        var fresh = await _kind.ReadAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, ct);
        if (fresh.Metadata.Uid != rs.Metadata.Uid || fresh.Metadata.DeletionTimestamp is not null) return [];
        var adopted = new List<V1Pod>();
        var ownerRef = ControllerRefs.For(_kind.ApiVersion, _kind.Kind, rs.Metadata);
        foreach (var pod in orphans)
        {
            try
            {
                adopted.Add(await _client.CoreV1.PatchNamespacedPodAsync(ControllerRefs.AdoptPatch(ownerRef, pod.Metadata.Uid),
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct));
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e))
            {
            }
        }
        return adopted;
    }

    private async Task ReleaseAsync(V1ReplicaSet rs, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        foreach (var pod in pods)
        {
            try
            {
                await _client.CoreV1.PatchNamespacedPodAsync(ControllerRefs.ReleasePatch(rs.Metadata.Uid, pod.Metadata.Uid),
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                LogReleased(ObjectKey.Of(rs), pod.Metadata.Name);
            }
            catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsInvalid(e))
            {
                // Gone, or its owner list changed under us: nothing to release.
            }
        }
    }

    private async Task WriteStatusAsync(V1ReplicaSet rs, V1ReplicaSetStatus status, CancellationToken ct)
    {
        if (ReplicaDecisions.SameStatus(rs.Status, status)) return;
        try
        {
            await _kind.ReplaceStatusAsync(rs, status, ct);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // One retry on the latest version (upstream's statusUpdateRetries); a second conflict re-queues.
            var fresh = await _kind.ReadAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, ct);
            if (fresh.Metadata.Uid != rs.Metadata.Uid) return;
            status.ObservedGeneration = rs.Metadata.Generation;
            await _kind.ReplaceStatusAsync(fresh, status, ct);
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
        if (ControllerRefs.ControllerOf(pod) is { } owner)
        {
            if (Resolve(pod.Metadata.NamespaceProperty, owner) is not { } rs) return;
            var key = ObjectKey.Of(rs);
            Expectations.CreationObserved(key);
            Queue.Add(key);
            return;
        }
        foreach (var rs in Matching(pod)) Queue.Add(ObjectKey.Of(rs));
    }

    private void PodUpdated(V1Pod old, V1Pod cur)
    {
        // Same version: a periodic resync, nothing changed.
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion) return;
        var labelsChanged = !SameLabels(old.Metadata.Labels, cur.Metadata.Labels);
        if (cur.Metadata.DeletionTimestamp is not null)
        {
            // Terminating pods do not count; their set should know at once, not after the grace period.
            PodDeleted(cur);
            if (labelsChanged) PodDeleted(old);
            return;
        }
        var curRef = ControllerRefs.ControllerOf(cur);
        var oldRef = ControllerRefs.ControllerOf(old);
        var refChanged = curRef?.Uid != oldRef?.Uid;
        if (refChanged && oldRef is not null && Resolve(old.Metadata.NamespaceProperty, oldRef) is { } previous)
            Queue.Add(ObjectKey.Of(previous));
        if (curRef is not null)
        {
            if (Resolve(cur.Metadata.NamespaceProperty, curRef) is not { } rs) return;
            var key = ObjectKey.Of(rs);
            Queue.Add(key);
            var minReady = rs.Spec?.MinReadySeconds ?? 0;
            if (minReady > 0 && !PodFacts.IsReady(old) && PodFacts.IsReady(cur))
                Queue.AddAfter(key, TimeSpan.FromSeconds(minReady + 1));
            return;
        }
        if (labelsChanged || refChanged)
            foreach (var rs in Matching(cur)) Queue.Add(ObjectKey.Of(rs));
    }

    private void PodDeleted(V1Pod pod)
    {
        if (ControllerRefs.ControllerOf(pod) is not { } owner || Resolve(pod.Metadata.NamespaceProperty, owner) is not { } rs) return;
        var key = ObjectKey.Of(rs);
        Expectations.DeletionObserved(key, ObjectKey.Of(pod));
        Queue.Add(key);
    }

    /// <summary>The cached set an ownerReference names, if it is of this kind with that uid.</summary>
    private V1ReplicaSet? Resolve(string? ns, V1OwnerReference owner)
    {
        if (owner.Kind != _kind.Kind || Group(owner.ApiVersion) != Group(_kind.ApiVersion)) return null;
        var rs = _kind.Get(ObjectKey.Of(ns, owner.Name));
        return rs?.Metadata.Uid == owner.Uid ? rs : null;
    }

    private static string Group(string? apiVersion) => apiVersion?.IndexOf('/') is > 0 and var i ? apiVersion[..i] : "";

    private IEnumerable<V1ReplicaSet> Matching(V1Pod pod) =>
        _kind.List(pod.Metadata.NamespaceProperty).Where(rs =>
            LabelSelector.FromLabelSelector(rs.Spec?.Selector) is { IsEverything: false } s && s.Matches(pod.Metadata.Labels));

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value));

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Controller}: released pod {Pod} (its labels no longer match)")]
    private partial void LogReleased(string controller, string pod);
}
