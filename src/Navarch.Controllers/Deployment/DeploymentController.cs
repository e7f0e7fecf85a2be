using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Selectors;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;
using Navarch.Controllers.PodControl;
using static Navarch.Controllers.Deployment.DeploymentStatusRules;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// The Deployment controller (upstream's pkg/controller/deployment): owns ReplicaSets named by the template's
/// hash, rolls from old to new ones (RollingUpdate within maxSurge/maxUnavailable, or Recreate), resizes them
/// in proportion when the Deployment is scaled mid-rollout, keeps revision annotations for
/// <c>kubectl rollout history|undo</c>, prunes old sets past revisionHistoryLimit, and reports progress.
/// </summary>
public sealed partial class DeploymentController : Controller, IControllerLoop
{
    private readonly IKubernetes _client;
    private readonly Informer<V1Deployment> _deployments;
    private readonly Informer<V1ReplicaSet> _sets;
    private readonly Informer<V1Pod> _pods;
    private readonly ReplicaSetWriter _writer;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly int _workers;

    public DeploymentController(ControllerContext ctx)
        : base("deployment", ctx.Loggers.CreateLogger<DeploymentController>(), ctx.Time)
    {
        _client = ctx.Client;
        _deployments = ctx.Informers.Deployments;
        _sets = ctx.Informers.ReplicaSets;
        _pods = ctx.Informers.Pods;
        _events = ctx.Recorder("deployment-controller");
        _writer = new ReplicaSetWriter(ctx.Client, _events);
        _time = ctx.Time;
        _workers = ctx.Options.ConcurrentSyncs;
        _deployments.AddHandlers(EnqueueOwnKey<V1Deployment>());
        _sets.AddHandlers(new EventHandlers<V1ReplicaSet> { OnAdd = SetAdded, OnUpdate = SetUpdated, OnDelete = SetDeleted });
        _pods.AddHandlers(new EventHandlers<V1Pod> { OnDelete = PodDeleted });
    }

    public Task RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await _deployments.WaitForSyncAsync(ct);
        await _sets.WaitForSyncAsync(ct);
        await _pods.WaitForSyncAsync(ct);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        if (_deployments.Get(key) is not { } cached) return;
        var d = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(cached));
        d.Status ??= new V1DeploymentStatus();
        var now = _time.GetUtcNow();
        var selector = LabelSelector.FromLabelSelector(d.Spec?.Selector);
        if (selector.IsEverything || selector.IsNothing)
        {
            await _events.WarningAsync(d, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.", ct);
            if ((cached.Status?.ObservedGeneration ?? 0) < d.Metadata.Generation)
            {
                d.Status.ObservedGeneration = d.Metadata.Generation;
                await WriteStatusAsync(cached, d.Status, ct);
            }
            return;
        }

        var sets = await ClaimSetsAsync(d, selector, ct);
        var run = new Rollout(d, sets, now);
        if (d.Metadata.DeletionTimestamp is not null)
        {
            run.Resolve();
            await WriteStatusAsync(cached, Calculate(d, run.All, run.New, now), ct);
            return;
        }
        ApplyPaused(d, d.Status, now);
        if (d.Spec?.Paused == true || RolloutPlanner.IsScalingEvent(d, sets))
        {
            await ResolveNewSetAsync(run, create: false, ct);
            RolloutPlanner.Scale(d, run.New, run.Old);
            await _writer.ScaleAsync(d, run.All, refreshActive: true, ct);
            if (d.Spec?.Paused == true) await CleanupAsync(d, run.Old, ct);
            await WriteStatusAsync(cached, Calculate(d, run.All, run.New, now), ct);
            return;
        }
        if (RolloutPlanner.IsRollingUpdate(d)) await RollingAsync(run, ct);
        else await RecreateAsync(run, ct);
        await SyncRolloutStatusAsync(cached, d, run, ct);
    }

    private async Task RollingAsync(Rollout run, CancellationToken ct)
    {
        var d = run.Deployment;
        var newSet = await ResolveNewSetAsync(run, create: true, ct);
        if (newSet is null) return;
        if (RolloutPlanner.ReconcileNewSet(d, run.All, newSet) || RolloutPlanner.ReconcileOldSets(d, run.All, run.Old.Where(s => s.Replicas > 0).ToList(), newSet))
        {
            await _writer.ScaleAsync(d, run.All, refreshActive: false, ct);
            return;
        }
        if (IsComplete(d, d.Status)) await CleanupAsync(d, run.Old, ct);
    }

    private async Task RecreateAsync(Rollout run, CancellationToken ct)
    {
        var d = run.Deployment;
        var newSet = await ResolveNewSetAsync(run, create: false, ct);
        if (RolloutPlanner.ScaleDownOldSetsForRecreate(run.Old))
        {
            await _writer.ScaleAsync(d, run.All, refreshActive: false, ct);
            return;
        }
        if (OldPodsRunning(newSet, run.Old)) return;
        newSet ??= await ResolveNewSetAsync(run, create: true, ct);
        if (newSet is null) return;
        newSet.Replicas = Revisions.Replicas(d);
        await _writer.ScaleAsync(d, run.All, refreshActive: false, ct);
        if (IsComplete(d, d.Status)) await CleanupAsync(d, run.Old, ct);
    }

    /// <summary>
    /// Upstream's getNewReplicaSet: finds the set whose template is the Deployment's and brings its revision and
    /// annotations up to date, or (when <paramref name="create"/>) makes it, sized within the surge.
    /// </summary>
    private async Task<PlannedSet?> ResolveNewSetAsync(Rollout run, bool create, CancellationToken ct)
    {
        var d = run.Deployment;
        run.Resolve();
        var newRevision = Revisions.Max(run.Old.Select(s => s.Set)) + 1;
        if (run.New is { } existing)
        {
            var updated = await _writer.SyncNewSetAsync(d, existing.Set, newRevision, ct);
            if (updated is not null) run.Replace(existing, updated);
            await SetDeploymentRevisionAsync(d, Revisions.Of(run.New!.Set), ct);
            if (HasProgressDeadline(d) && Condition(d.Status, Progressing) is null)
                SetCondition(d.Status, NewCondition(Progressing, "True", FoundNewReplicaSet, $"Found new replica set \"{run.New.Name}\"", run.Now));
            return run.New;
        }
        if (!create) return null;
        var (created, alreadyExisted) = await CreateNewSetAsync(run, newRevision, ct);
        await SetDeploymentRevisionAsync(d, newRevision, ct);
        if (!alreadyExisted && HasProgressDeadline(d))
            SetCondition(d.Status, NewCondition(Progressing, "True", NewReplicaSetCreated, $"Created new replica set \"{created.Name}\"", run.Now));
        return created;
    }

    private async Task<(PlannedSet Set, bool AlreadyExisted)> CreateNewSetAsync(Rollout run, long newRevision, CancellationToken ct)
    {
        var d = run.Deployment;
        var rs = run.BuildNewSet(newRevision);
        try
        {
            var created = run.AddNew(await _writer.CreateAsync(rs, ct));
            if (created.Replicas > 0)
                await _events.NormalAsync(d, "ScalingReplicaSet", $"Scaled up replica set {created.Name} from 0 to {created.Replicas}", ct);
            return (created, false);
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // A set of that name exists: ours (a stale cache) or a hash collision, which the next name avoids.
            var existing = await _writer.ReadAsync(rs.Metadata.NamespaceProperty, rs.Metadata.Name, ct);
            if (ControllerRefs.ControllerOf(existing)?.Uid == d.Metadata.Uid && PodTemplateHash.EqualIgnoringHash(existing.Spec?.Template, d.Spec?.Template))
                return (run.AddNew(existing), true);
            d.Status.CollisionCount = (d.Status.CollisionCount ?? 0) + 1;
            await WriteStatusAsync(_deployments.Get(ObjectKey.Of(d)) ?? d, d.Status, ct);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException && !ApiErrors.IsNamespaceTerminating(e))
        {
            var message = $"Failed to create new replica set \"{rs.Metadata.Name}\": {ApiErrors.Message(e)}";
            await _events.WarningAsync(d, "FailedCreate", message, ct);
            if (HasProgressDeadline(d))
            {
                SetCondition(d.Status, NewCondition(Progressing, "False", FailedCreate, message, run.Now));
                await WriteStatusAsync(_deployments.Get(ObjectKey.Of(d)) ?? d, d.Status, ct);
            }
            throw;
        }
    }

    private async Task SetDeploymentRevisionAsync(V1Deployment d, long revision, CancellationToken ct)
    {
        var text = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (d.Metadata.Annotations?.TryGetValue(Revisions.Revision, out var have) == true && have == text) return;
        var patch = KubernetesJson.Serialize(new { metadata = new { annotations = new Dictionary<string, string> { [Revisions.Revision] = text } } });
        await _client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), d.Metadata.Name, d.Metadata.NamespaceProperty, cancellationToken: ct);
        (d.Metadata.Annotations ??= new Dictionary<string, string>())[Revisions.Revision] = text;
    }

    // Recreate waits until no pod of an old set runs (upstream's oldPodsRunning).
    private bool OldPodsRunning(PlannedSet? newSet, IReadOnlyList<PlannedSet> oldSets)
    {
        if (oldSets.Any(s => s.Actual > 0)) return true;
        var oldUids = oldSets.Select(s => s.Set.Metadata.Uid).ToHashSet();
        return _pods.List(newSet?.Set.Metadata.NamespaceProperty ?? oldSets.FirstOrDefault()?.Set.Metadata.NamespaceProperty)
            .Any(p => ControllerRefs.ControllerOf(p) is { } r && oldUids.Contains(r.Uid) && p.Status?.Phase is not ("Succeeded" or "Failed"));
    }

    /// <summary>Upstream's cleanupDeployment: deletes the oldest scaled-down sets beyond revisionHistoryLimit.</summary>
    private async Task CleanupAsync(V1Deployment d, IReadOnlyList<PlannedSet> oldSets, CancellationToken ct)
    {
        var limit = d.Spec?.RevisionHistoryLimit ?? 10;
        var alive = oldSets.Where(s => s.Set.Metadata.DeletionTimestamp is null).ToList();
        var surplus = alive.Count - limit;
        if (surplus <= 0) return;
        foreach (var s in alive.OrderBy(s => Revisions.Of(s.Set)).ThenBy(s => s, Comparer<PlannedSet>.Create(PlannedSet.ByCreation)).Take(surplus))
        {
            if (s.Actual != 0 || s.Replicas != 0 || s.Set.Metadata.Generation > (s.Set.Status?.ObservedGeneration ?? 0)) continue;
            await _writer.DeleteAsync(s.Set, ct);
        }
    }

    private async Task SyncRolloutStatusAsync(V1Deployment cached, V1Deployment d, Rollout run, CancellationToken ct)
    {
        var status = Calculate(d, run.All, run.New, run.Now);
        ApplyProgress(d, status, run.All, run.New, run.Now);
        if (!Same(cached.Status, status)) await WriteStatusAsync(cached, status, ct);
        else if (RecheckAfter(d, status, run.Now) is { } after) Queue.AddAfter(ObjectKey.Of(d), after);
    }

    private async Task WriteStatusAsync(V1Deployment cached, V1DeploymentStatus status, CancellationToken ct)
    {
        if (Same(cached.Status, status)) return;
        var copy = KubernetesJson.Deserialize<V1Deployment>(KubernetesJson.Serialize(cached));
        copy.Status = status;
        try
        {
            await _client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(copy, cached.Metadata.Name, cached.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    /// <summary>Upstream's getReplicaSetsForDeployment: adopts matching orphan sets and releases owned sets that stopped matching.</summary>
    private async Task<IReadOnlyList<V1ReplicaSet>> ClaimSetsAsync(V1Deployment d, LabelSelector selector, CancellationToken ct)
    {
        var claim = ControllerRefs.Claim(d.Metadata, selector, _sets.List(d.Metadata.NamespaceProperty));
        var owned = claim.Owned.ToList();
        if (claim.Adopt.Count > 0)
        {
            var fresh = await _client.AppsV1.ReadNamespacedDeploymentAsync(d.Metadata.Name, d.Metadata.NamespaceProperty, cancellationToken: ct);
            if (fresh.Metadata.Uid == d.Metadata.Uid && fresh.Metadata.DeletionTimestamp is null)
                foreach (var rs in claim.Adopt)
                    if (await _writer.AdoptAsync(d, rs, ct) is { } adopted) owned.Add(adopted);
        }
        foreach (var rs in claim.Release) await _writer.ReleaseAsync(d, rs, ct);
        return owned;
    }

    private void SetAdded(V1ReplicaSet rs)
    {
        if (rs.Metadata.DeletionTimestamp is not null)
        {
            SetDeleted(rs);
            return;
        }
        if (ControllerRefs.ControllerOf(rs) is { } owner)
        {
            if (Resolve(rs.Metadata.NamespaceProperty, owner) is { } d) Queue.Add(ObjectKey.Of(d));
            return;
        }
        foreach (var d in Matching(rs)) Queue.Add(ObjectKey.Of(d));
    }

    private void SetUpdated(V1ReplicaSet old, V1ReplicaSet cur)
    {
        if (old.Metadata.ResourceVersion == cur.Metadata.ResourceVersion) return;
        var (oldRef, curRef) = (ControllerRefs.ControllerOf(old), ControllerRefs.ControllerOf(cur));
        if (curRef?.Uid != oldRef?.Uid && oldRef is not null && Resolve(old.Metadata.NamespaceProperty, oldRef) is { } previous)
            Queue.Add(ObjectKey.Of(previous));
        if (curRef is not null)
        {
            if (Resolve(cur.Metadata.NamespaceProperty, curRef) is { } d) Queue.Add(ObjectKey.Of(d));
            return;
        }
        foreach (var d in Matching(cur)) Queue.Add(ObjectKey.Of(d));
    }

    private void SetDeleted(V1ReplicaSet rs)
    {
        if (ControllerRefs.ControllerOf(rs) is { } owner && Resolve(rs.Metadata.NamespaceProperty, owner) is { } d) Queue.Add(ObjectKey.Of(d));
    }

    // Recreate waits for old pods to go: their deletion may be the event it waits for.
    private void PodDeleted(V1Pod pod)
    {
        if (ControllerRefs.ControllerOf(pod) is not { Kind: "ReplicaSet" } setRef) return;
        if (_sets.Get(pod.Metadata.NamespaceProperty, setRef.Name) is not { } rs || rs.Metadata.Uid != setRef.Uid) return;
        if (ControllerRefs.ControllerOf(rs) is { } owner && Resolve(rs.Metadata.NamespaceProperty, owner) is { } d && !RolloutPlanner.IsRollingUpdate(d))
            Queue.Add(ObjectKey.Of(d));
    }

    private V1Deployment? Resolve(string? ns, V1OwnerReference owner)
    {
        if (owner.Kind != "Deployment" || !(owner.ApiVersion ?? "").StartsWith("apps/", StringComparison.Ordinal)) return null;
        var d = _deployments.Get(ns, owner.Name);
        return d?.Metadata.Uid == owner.Uid ? d : null;
    }

    private IEnumerable<V1Deployment> Matching(V1ReplicaSet rs) =>
        _deployments.List(rs.Metadata.NamespaceProperty).Where(d =>
            LabelSelector.FromLabelSelector(d.Spec?.Selector) is { IsEverything: false, IsNothing: false } s && s.Matches(rs.Metadata.Labels));
}
