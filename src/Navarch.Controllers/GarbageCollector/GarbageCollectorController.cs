using Navarch.Client;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Resources;
using Navarch.Client.Informers;
using Navarch.Client.Queue;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.GarbageCollector;

/// <summary>
/// The garbage collector (upstream's pkg/controller/garbagecollector): deletes objects whose owners are all
/// gone (background), deletes the blocking dependents of owners deleted in the foreground and then lets the
/// owner go, and strips the owner reference from the dependents of owners deleted with orphaning. It watches
/// every namespaced kind the catalog serves (see <see cref="Watched"/>); owners of other kinds are read live.
/// </summary>
public sealed partial class GarbageCollectorController : Controller, IControllerLoop
{
    private const string DeleteItem = "delete/";
    private const string OrphanItem = "orphan/";
    private const int AbsentCacheSize = 1000;

    private readonly OwnerGraph _graph = new();
    private readonly DynamicObjects _objects;
    private readonly List<Func<CancellationToken, Task>> _syncs = [];
    private readonly int _workers;
    private readonly ILogger _log;
    // Owner uids a live read found missing (upstream's absentOwnerCache), so N dependents cost one read.
    private readonly HashSet<string> _absent = [];

    public GarbageCollectorController(ControllerContext ctx)
        : base("garbagecollector", ctx.Loggers.CreateLogger<GarbageCollectorController>(), ctx.Time)
    {
        _objects = new DynamicObjects(ctx.Client, ctx.Time);
        _workers = ctx.Options.ConcurrentSyncs;
        _log = ctx.Loggers.CreateLogger<GarbageCollectorController>();
        foreach (var rt in ResourceCatalog.All.Where(Watched))
            WatchKindMethod.MakeGenericMethod(rt.ClrType).Invoke(this, [ctx.Informers, rt.ApiVersion, rt.Kind]);
    }

    private static readonly System.Reflection.MethodInfo WatchKindMethod =
        typeof(GarbageCollectorController).GetMethod(nameof(WatchKind), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;

    /// <summary>
    /// Every namespaced kind but events and leases (upstream ignores events; leases change every few seconds and
    /// own nothing); cluster-scoped owners (nodes, namespaces) are read live when a dependent names one.
    /// </summary>
    private static bool Watched(ResourceType rt) =>
        rt.Namespaced && rt != ResourceCatalog.Events && rt != ResourceCatalog.Leases;

    private void WatchKind<T>(SharedInformers informers, string apiVersion, string kind) where T : class, IKubernetesObject<V1ObjectMeta> =>
        Watch(informers.For<T>(), apiVersion, kind);

    /// <summary>The graph as the informers built it (for tests).</summary>
    internal OwnerGraph Graph => _graph;

    public Task RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        foreach (var sync in _syncs) await sync(ct);
    }

    private void Watch<T>(Informer<T> informer, string apiVersion, string kind) where T : class, IKubernetesObject<V1ObjectMeta>
    {
        _syncs.Add(informer.WaitForSyncAsync);
        informer.AddHandlers(new EventHandlers<T>
        {
            OnAdd = o => Changed(GraphNode.Of(o, apiVersion, kind), resync: false),
            OnUpdate = (old, o) => Changed(GraphNode.Of(o, apiVersion, kind), resync: old.Metadata.ResourceVersion == o.Metadata.ResourceVersion),
            OnDelete = o => Deleted(o.Metadata.Uid),
        });
    }

    private void Changed(GraphNode node, bool resync)
    {
        var old = _graph.Observe(node);
        // New owners (or, on resync, owners never seen) must be checked: they may not exist.
        var ownersChanged = old is null || !old.Owners.Select(o => o.Uid).SequenceEqual(node.Owners.Select(o => o.Uid));
        if (ownersChanged || (resync && node.Owners.Any(o => _graph.Get(o.Uid) is null)))
            if (node.Owners.Count > 0) Queue.Add(DeleteItem + node.Uid);
        // An owner that lost a dependent may be waiting for exactly that one.
        if (old is not null)
            foreach (var removed in old.Owners.Where(o => node.Owners.All(n => n.Uid != o.Uid)))
                if (_graph.Get(removed.Uid) is { DeletingDependents: true }) Queue.Add(DeleteItem + removed.Uid);
        if (node.Orphaning) Queue.Add(OrphanItem + node.Uid);
        if (node.DeletingDependents && (old is null || !old.DeletingDependents || resync))
        {
            Queue.Add(DeleteItem + node.Uid);
            foreach (var dependent in _graph.DependentsOf(node.Uid)) Queue.Add(DeleteItem + dependent.Uid);
        }
    }

    private void Deleted(string uid)
    {
        var gone = _graph.Remove(uid);
        foreach (var dependent in _graph.DependentsOf(uid)) Queue.Add(DeleteItem + dependent.Uid);
        foreach (var owner in gone?.Owners ?? [])
            if (_graph.Get(owner.Uid) is { DeletingDependents: true }) Queue.Add(DeleteItem + owner.Uid);
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        var orphan = key.StartsWith(OrphanItem, StringComparison.Ordinal);
        var uid = key[(orphan ? OrphanItem.Length : DeleteItem.Length)..];
        if (_graph.Get(uid) is not { } node) return;
        if (orphan) await OrphanDependentsAsync(node, ct);
        else if (node.DeletingDependents) await DeleteDependentsFirstAsync(node, ct);
        else await AttemptToDeleteAsync(node, ct);
    }

    private async Task AttemptToDeleteAsync(GraphNode node, CancellationToken ct)
    {
        if (node.Deleting || node.Owners.Count == 0) return;
        var states = new Dictionary<string, OwnerState>();
        foreach (var owner in node.Owners) states[owner.Uid] = await OwnerStateAsync(node, owner, ct);
        var action = CollectionDecisions.Decide(node, states, _graph.DependentsOf(node.Uid).Count > 0);
        if (action is DependentAction.Keep) return;
        var resource = await _objects.ResolveAsync(node.ApiVersion, node.Kind, ct)
            ?? throw new InvalidOperationException($"the server does not serve {node.Kind} ({node.ApiVersion})");
        switch (action)
        {
            case DependentAction.Delete d:
                LogDeleting(node.ToString(), d.PropagationPolicy);
                await _objects.DeleteAsync(resource, node.Namespace, node.Name, node.Uid, d.PropagationPolicy, ct);
                break;
            case DependentAction.RemoveOwnerReferences r:
                await RemoveOwnerReferencesAsync(resource, node, r.OwnerUids, ct);
                break;
        }
    }

    private async Task<OwnerState> OwnerStateAsync(GraphNode dependent, V1OwnerReference owner, CancellationToken ct)
    {
        if (_graph.Get(owner.Uid) is { } known) return CollectionDecisions.StateOf(owner, known);
        lock (_absent)
            if (_absent.Contains(owner.Uid)) return OwnerState.Dangling;
        // An owner we do not watch (or not yet): ask the server, as upstream does before deleting anything.
        var resource = await _objects.ResolveAsync(owner.ApiVersion, owner.Kind, ct);
        if (resource is null)
        {
            LogUnknownOwnerKind(dependent.ToString(), owner.Kind, owner.ApiVersion);
            return OwnerState.Solid;
        }
        var live = await _objects.GetAsync(resource, resource.Namespaced ? dependent.Namespace : null, owner.Name, ct);
        var state = CollectionDecisions.StateOf(owner, live is null ? null : GraphNode.Of(live, owner.ApiVersion, owner.Kind));
        if (state == OwnerState.Dangling)
            lock (_absent)
            {
                if (_absent.Count >= AbsentCacheSize) _absent.Clear();
                _absent.Add(owner.Uid);
            }
        return state;
    }

    private async Task DeleteDependentsFirstAsync(GraphNode owner, CancellationToken ct)
    {
        var decision = CollectionDecisions.Foreground(owner, _graph.DependentsOf(owner.Uid));
        if (decision.RemoveFinalizer)
        {
            var resource = await _objects.ResolveAsync(owner.ApiVersion, owner.Kind, ct);
            if (resource is not null)
                await _objects.RemoveFinalizerAsync(resource, owner.Namespace, owner.Name, owner.Uid, GraphNode.ForegroundFinalizer, ct);
            return;
        }
        foreach (var dependent in decision.DeleteDependents) Queue.Add(DeleteItem + dependent.Uid);
    }

    private async Task OrphanDependentsAsync(GraphNode owner, CancellationToken ct)
    {
        if (!owner.Orphaning) return;
        foreach (var dependent in _graph.DependentsOf(owner.Uid))
        {
            var resource = await _objects.ResolveAsync(dependent.ApiVersion, dependent.Kind, ct);
            if (resource is not null) await RemoveOwnerReferencesAsync(resource, dependent, [owner.Uid], ct);
        }
        var ownerResource = await _objects.ResolveAsync(owner.ApiVersion, owner.Kind, ct);
        if (ownerResource is not null)
            await _objects.RemoveFinalizerAsync(ownerResource, owner.Namespace, owner.Name, owner.Uid, GraphNode.OrphanFinalizer, ct);
    }

    private async Task RemoveOwnerReferencesAsync(Namespace.ApiResource resource, GraphNode dependent, IReadOnlyList<string> ownerUids, CancellationToken ct)
    {
        var deletes = string.Join(",", ownerUids.Select(uid => $$$"""{"$patch":"delete","uid":"{{{uid}}}"}"""));
        var patch = $$$"""{"metadata":{"ownerReferences":[{{{deletes}}}],"uid":"{{{dependent.Uid}}}"}}""";
        try
        {
            await _objects.PatchAsync(resource, dependent.Namespace, dependent.Name, new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "garbage collector: deleting {Object} (propagation {Policy})")]
    private partial void LogDeleting(string @object, string policy);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "garbage collector: {Object} names an owner of kind {Kind} ({ApiVersion}) the server does not serve; keeping it")]
    private partial void LogUnknownOwnerKind(string @object, string kind, string apiVersion);
}
