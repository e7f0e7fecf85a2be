using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Selectors;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;
using Navarch.Controllers.Endpoints;

namespace Navarch.Controllers.EndpointSlices;

/// <summary>
/// Keeps discovery.k8s.io/v1 EndpointSlices for every Service with a selector (upstream's endpointslice
/// controller): slices named <c>&lt;service&gt;-xxxxx</c>, owned by the Service, labelled with its name and
/// this controller, at most 100 endpoints each. Slices managed by anyone else are never touched.
/// </summary>
public sealed class EndpointSliceController : Controller, IControllerLoop
{
    private static readonly TimeSpan CacheLagRetry = TimeSpan.FromMilliseconds(50);

    private readonly IKubernetes _client;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1EndpointSlice> _slices;
    private readonly Informer<V1Node> _nodes;
    private readonly EventRecorder _recorder;
    private readonly SliceTracker _tracker = new();
    private readonly int _workers;

    public EndpointSliceController(ControllerContext context)
        : base("endpointslice-controller", context.Loggers.CreateLogger<EndpointSliceController>(), context.Time)
    {
        _client = context.Client;
        _services = context.Informers.Services;
        _pods = context.Informers.Pods;
        _slices = context.Informers.EndpointSlices;
        _nodes = context.Informers.Nodes;
        _recorder = context.Recorder("endpoint-slice-controller");
        _workers = context.Options.ConcurrentSyncs;

        _services.AddHandlers(EnqueueOwnKey<V1Service>());
        _pods.AddHandlers(ServiceMembership.PodHandlers(_services, EnqueueAll));
        // Someone changing or deleting one of our slices: put it right.
        _slices.AddHandlers(new EventHandlers<V1EndpointSlice>
        {
            OnUpdate = (_, s) => EnqueueOwner(s),
            OnDelete = EnqueueOwner,
        });
    }

    Task IControllerLoop.RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override Task WaitForCachesAsync(CancellationToken ct) =>
        Task.WhenAll(_services.WaitForSyncAsync(ct), _pods.WaitForSyncAsync(ct), _slices.WaitForSyncAsync(ct), _nodes.WaitForSyncAsync(ct));

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        var (ns, name) = ObjectKey.Split(key);
        var owned = _slices.List(ns)
            .Where(s => Label(s, SliceKeys.ServiceNameLabel) == name && Label(s, SliceKeys.ManagedByLabel) == SliceKeys.ControllerName)
            .ToList();
        if (!_tracker.CaughtUp(key, owned))
        {
            Queue.AddAfter(key, CacheLagRetry);
            return;
        }

        var service = _services.Get(key);
        if (service is null || service.Spec?.Type == "ExternalName" || service.Spec?.Selector is null)
        {
            // Slices of a deleted Service also go through garbage collection; removing them here is quicker.
            if (service is null) _tracker.Forget(key);
            await DeleteAllAsync(key, service is null ? owned : owned.Where(s => s.Metadata.OwnerReferences?.Any(o => o.Uid == service.Metadata.Uid) == true).ToList(), ct);
            return;
        }

        var selector = LabelSelector.FromSet(service.Spec.Selector);
        var pods = _pods.List(ns).Where(p => selector.Matches(p.Metadata.Labels ?? new Dictionary<string, string>())).ToList();
        var groups = SliceEndpoints.Groups(service, pods, node => _nodes.Get(node));
        // Slices another Service of the same name owned (deleted and re-created meanwhile) are not ours to reuse.
        var mine = owned.Where(s => s.Metadata.OwnerReferences?.Any(o => o.Uid == service.Metadata.Uid) == true).ToList();
        var plan = SlicePlanner.Plan(service, groups, mine);
        if (plan.IsEmpty && mine.Count == owned.Count) return;

        var trigger = EndpointsBuilder.TriggerTime(service, pods)?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'");
        try
        {
            foreach (var slice in plan.Update)
            {
                Stamp(slice, trigger);
                _tracker.Written(key, await _client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, ns, cancellationToken: ct));
            }
            foreach (var slice in plan.Create)
            {
                Stamp(slice, trigger);
                _tracker.Written(key, await _client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, ns, cancellationToken: ct));
            }
            await DeleteAllAsync(key, plan.Delete.Concat(owned.Except(mine)).ToList(), ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is not (HttpStatusCode.Conflict or HttpStatusCode.NotFound))
        {
            await _recorder.WarningAsync(service, "FailedToUpdateEndpointSlices", $"Error updating Endpoint Slices for Service {ns}/{name}: {e.Message}", ct);
            throw;
        }
    }

    private async Task DeleteAllAsync(string key, IReadOnlyList<V1EndpointSlice> slices, CancellationToken ct)
    {
        foreach (var slice in slices)
        {
            try { await _client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(slice.Metadata.Name, slice.Metadata.NamespaceProperty, cancellationToken: ct); }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
            _tracker.Deleted(key, slice.Metadata.Name);
        }
    }

    private void Stamp(V1EndpointSlice slice, string? trigger)
    {
        var annotations = slice.Metadata.Annotations ??= new Dictionary<string, string>();
        if (trigger is null) annotations.Remove(EndpointsKeys.LastChangeTriggerTime);
        else annotations[EndpointsKeys.LastChangeTriggerTime] = trigger;
    }

    private void EnqueueOwner(V1EndpointSlice slice)
    {
        if (Label(slice, SliceKeys.ManagedByLabel) != SliceKeys.ControllerName) return;
        if (Label(slice, SliceKeys.ServiceNameLabel) is { Length: > 0 } service)
            Queue.Add(ObjectKey.Of(slice.Metadata.NamespaceProperty, service));
    }

    private static string? Label(V1EndpointSlice slice, string key) =>
        slice.Metadata.Labels is { } labels && labels.TryGetValue(key, out var v) ? v : null;

}
