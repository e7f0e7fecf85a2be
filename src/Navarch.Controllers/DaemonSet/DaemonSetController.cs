using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Selectors;
using Navarch.Client;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.DaemonSet;

/// <summary>
/// The DaemonSet controller (upstream's pkg/controller/daemon): one pod on every node the template fits
/// (nodeSelector, node affinity, taints against tolerations plus the daemon defaults), also on nodes that join
/// later; RollingUpdate (maxUnavailable) or OnDelete to a new template; ControllerRevisions for history.
/// </summary>
public sealed class DaemonSetController : Controller, IControllerLoop
{
    private readonly IKubernetes _client;
    private readonly Informer<V1DaemonSet> _sets;
    private readonly Informer<V1ControllerRevision> _revisions;
    private readonly Informer<V1Node> _nodes;
    private readonly Informer<V1Pod> _pods;
    private readonly EventRecorder _events;
    private readonly TimeProvider _time;
    private readonly int _workers;
    private readonly ControllerExpectations _expectations;

    public DaemonSetController(ControllerContext ctx)
        : base("daemonset", ctx.Loggers.CreateLogger<DaemonSetController>(), ctx.Time)
    {
        _client = ctx.Client;
        _sets = ctx.Informers.DaemonSets;
        _revisions = ctx.Informers.ControllerRevisions;
        _nodes = ctx.Informers.Nodes;
        _pods = ctx.Informers.Pods;
        _events = ctx.Recorder("daemonset-controller");
        _time = ctx.Time;
        _workers = ctx.Options.ConcurrentSyncs;
        _expectations = new ControllerExpectations(ctx.Time);
        _sets.AddHandlers(new EventHandlers<V1DaemonSet>
        {
            OnAdd = ds => Queue.Add(ObjectKey.Of(ds)),
            OnUpdate = (_, ds) => Queue.Add(ObjectKey.Of(ds)),
            OnDelete = ds => _expectations.Forget(ObjectKey.Of(ds)),
        });
        _nodes.AddHandlers(new EventHandlers<V1Node>
        {
            OnAdd = _ => EnqueueAll(_sets.List().Select(ObjectKey.Of)),
            OnUpdate = (old, cur) => { if (NodeChanged(old, cur)) EnqueueAll(_sets.List().Select(ObjectKey.Of)); },
            OnDelete = _ => EnqueueAll(_sets.List().Select(ObjectKey.Of)),
        });
        _pods.AddHandlers(new EventHandlers<V1Pod>
        {
            OnAdd = p => PodChanged(p, added: true),
            OnUpdate = (old, p) => { if (old.Metadata.ResourceVersion != p.Metadata.ResourceVersion) PodChanged(p, added: false); },
            OnDelete = p => PodChanged(p, added: false, deleted: true),
        });
    }

    public Task RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await _sets.WaitForSyncAsync(ct);
        await _revisions.WaitForSyncAsync(ct);
        await _nodes.WaitForSyncAsync(ct);
        await _pods.WaitForSyncAsync(ct);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        if (_sets.Get(key) is not { } ds || ds.Metadata.DeletionTimestamp is not null) return;
        ds.ApiVersion ??= "apps/v1";
        ds.Kind ??= "DaemonSet";
        var now = _time.GetUtcNow();
        var hash = DaemonRevisions.Hash(ds);
        var revisions = _revisions.List(ds.Metadata.NamespaceProperty).Where(r => ControllerRefs.ControllerOf(r)?.Uid == ds.Metadata.Uid).ToList();
        await EnsureRevisionAsync(ds, hash, revisions, ct);

        var claim = ControllerRefs.Claim(ds.Metadata, LabelSelector.FromLabelSelector(ds.Spec?.Selector), _pods.List(ds.Metadata.NamespaceProperty));
        var plan = DaemonDecisions.Plan(ds, _nodes.List(), claim.Owned, hash, now);
        if (_expectations.Satisfied(key))
        {
            if (plan.Delete.Count > 0) await DeletePodsAsync(key, ds, plan.Delete, ct);
            if (plan.CreateOn.Count > 0) await CreatePodsAsync(key, ds, plan.CreateOn, hash, ct);
        }
        await WriteStatusAsync(ds, plan.Status, ct);
        foreach (var old in DaemonRevisions.ToPrune(ds, revisions, hash, claim.Owned))
        {
            try { await _client.AppsV1.DeleteNamespacedControllerRevisionAsync(old.Metadata.Name, old.Metadata.NamespaceProperty, cancellationToken: ct); }
            catch (Exception e) when (ApiErrors.IsNotFound(e)) { }
        }
        if ((ds.Spec?.MinReadySeconds ?? 0) > 0 && plan.Status.NumberAvailable < plan.Status.NumberReady)
            Queue.AddAfter(key, TimeSpan.FromSeconds(ds.Spec!.MinReadySeconds!.Value));
    }

    // The current template's revision exists and is the highest (a rollback renumbers the old one).
    private async Task EnsureRevisionAsync(V1DaemonSet ds, string hash, List<V1ControllerRevision> revisions, CancellationToken ct)
    {
        var max = revisions.Select(r => (long?)r.Revision ?? 0).DefaultIfEmpty(0).Max();
        var current = revisions.FirstOrDefault(r => DaemonRevisions.HashOf(r) == hash);
        try
        {
            if (current is null)
                revisions.Add(await _client.AppsV1.CreateNamespacedControllerRevisionAsync(DaemonRevisions.New(ds, hash, max + 1), ds.Metadata.NamespaceProperty, cancellationToken: ct));
            else if (current.Revision < max)
            {
                var copy = KubernetesJson.Deserialize<V1ControllerRevision>(KubernetesJson.Serialize(current));
                copy.Revision = max + 1;
                await _client.AppsV1.ReplaceNamespacedControllerRevisionAsync(copy, copy.Metadata.Name, copy.Metadata.NamespaceProperty, cancellationToken: ct);
            }
        }
        catch (Exception e) when (ApiErrors.IsConflict(e))
        {
            // Made by an earlier sync the cache has not shown yet.
        }
    }

    private async Task CreatePodsAsync(string key, V1DaemonSet ds, IReadOnlyList<string> nodes, string hash, CancellationToken ct)
    {
        _expectations.ExpectCreations(key, nodes.Count);
        var next = -1;
        var (succeeded, error) = await SlowStart.RunAsync(nodes.Count, 1, async () =>
        {
            var node = nodes[Interlocked.Increment(ref next)];
            try
            {
                var pod = await _client.CoreV1.CreateNamespacedPodAsync(DaemonPods.NewPod(ds, node, hash), ds.Metadata.NamespaceProperty, cancellationToken: ct);
                await _events.NormalAsync(ds, "SuccessfulCreate", $"Created pod: {pod.Metadata.Name}", ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (!ApiErrors.IsNamespaceTerminating(e)) await _events.WarningAsync(ds, "FailedCreate", $"Error creating: {ApiErrors.Message(e)}", ct);
                throw;
            }
        });
        for (var i = succeeded; i < nodes.Count; i++) _expectations.CreationObserved(key);
        if (error is not null && !ApiErrors.IsNamespaceTerminating(error)) throw error;
    }

    private async Task DeletePodsAsync(string key, V1DaemonSet ds, IReadOnlyList<V1Pod> pods, CancellationToken ct)
    {
        _expectations.ExpectDeletions(key, pods.Select(ObjectKey.Of));
        foreach (var pod in pods)
        {
            try
            {
                await _client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
                await _events.NormalAsync(ds, "SuccessfulDelete", $"Deleted pod: {pod.Metadata.Name}", ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _expectations.DeletionObserved(key, ObjectKey.Of(pod));
                if (!ApiErrors.IsNotFound(e)) throw;
            }
        }
    }

    private async Task WriteStatusAsync(V1DaemonSet ds, V1DaemonSetStatus status, CancellationToken ct)
    {
        status.Conditions = ds.Status?.Conditions;
        if (JsonEquality.Same(ds.Status, status)) return;
        var copy = KubernetesJson.Deserialize<V1DaemonSet>(KubernetesJson.Serialize(ds));
        copy.Status = status;
        try
        {
            await _client.AppsV1.ReplaceNamespacedDaemonSetStatusAsync(copy, ds.Metadata.Name, ds.Metadata.NamespaceProperty, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    // Labels, taints or readiness decide where daemons run; heartbeats alone do not.
    private static bool NodeChanged(V1Node old, V1Node cur) =>
        !JsonEquality.Same(old.Metadata.Labels, cur.Metadata.Labels) || !JsonEquality.Same(old.Spec?.Taints, cur.Spec?.Taints)
        || old.Spec?.Unschedulable != cur.Spec?.Unschedulable;

    private void PodChanged(V1Pod pod, bool added, bool deleted = false)
    {
        if (ControllerRefs.ControllerOf(pod) is not { Kind: "DaemonSet" } owner) return;
        if (_sets.Get(pod.Metadata.NamespaceProperty, owner.Name) is not { } ds || ds.Metadata.Uid != owner.Uid) return;
        var key = ObjectKey.Of(ds);
        if (deleted || pod.Metadata.DeletionTimestamp is not null) _expectations.DeletionObserved(key, ObjectKey.Of(pod));
        else if (added) _expectations.CreationObserved(key);
        Queue.Add(key);
    }
}
