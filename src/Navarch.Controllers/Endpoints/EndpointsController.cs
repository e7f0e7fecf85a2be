using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Selectors;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Client.Queue;

namespace Navarch.Controllers.Endpoints;

/// <summary>
/// Keeps a core/v1 Endpoints object beside every Service that has a selector (upstream's endpoint controller):
/// the addresses of the pods it selects, ready apart from not ready, written only when they change. Services
/// without a selector, ExternalName Services and the API server's own <c>default/kubernetes</c> are left alone.
/// </summary>
public sealed class EndpointsController : Controller, IControllerLoop
{
    private readonly IKubernetes _client;
    private readonly Informer<V1Service> _services;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1Endpoints> _endpoints;
    private readonly EventRecorder _recorder;
    private readonly int _workers;

    public EndpointsController(ControllerContext context)
        : base("endpoint-controller", context.Loggers.CreateLogger<EndpointsController>(), context.Time)
    {
        _client = context.Client;
        _services = context.Informers.Services;
        _pods = context.Informers.Pods;
        _endpoints = context.Informers.Endpoints;
        _recorder = context.Recorder("endpoint-controller");
        _workers = context.Options.ConcurrentSyncs;

        _services.AddHandlers(EnqueueOwnKey<V1Service>());
        _pods.AddHandlers(ServiceMembership.PodHandlers(_services, EnqueueAll));
        _endpoints.AddHandlers(new EventHandlers<V1Endpoints> { OnDelete = e => Queue.Add(ObjectKey.Of(e)) });
    }

    Task IControllerLoop.RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await Task.WhenAll(_services.WaitForSyncAsync(ct), _pods.WaitForSyncAsync(ct), _endpoints.WaitForSyncAsync(ct));
        // Endpoints whose Service went while we were down are found once, at start (as upstream's checkLeftoverEndpoints).
        foreach (var e in _endpoints.List()) Queue.Add(ObjectKey.Of(e));
    }

    protected override async Task SyncAsync(string key, CancellationToken ct)
    {
        if (key == EndpointsKeys.ApiServerServiceKey) return;
        var (ns, name) = ObjectKey.Split(key);
        var service = _services.Get(key);
        if (service is null)
        {
            if (_endpoints.Get(key) is null) return;
            try { await _client.CoreV1.DeleteNamespacedEndpointsAsync(name, ns, cancellationToken: ct); }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
            return;
        }
        if (service.Spec?.Type == "ExternalName" || service.Spec?.Selector is null) return;

        var selector = LabelSelector.FromSet(service.Spec.Selector);
        var pods = _pods.List(ns).Where(p => selector.Matches(p.Metadata.Labels ?? new Dictionary<string, string>())).ToList();
        var subsets = EndpointsBuilder.Subsets(service, pods);
        var truncated = EndpointsBuilder.Truncate(subsets);
        var labels = DesiredLabels(service);

        var current = _endpoints.Get(key);
        if (current is not null
            && EndpointsBuilder.SameSubsets(current.Subsets, subsets)
            && SameLabels(current.Metadata.Labels, labels)
            && (current.Metadata.Annotations?.ContainsKey(EndpointsKeys.OverCapacity) == true) == truncated)
            return;

        var desired = current is null
            ? new V1Endpoints { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } }
            : DeepCopy.Of(current);
        desired.Subsets = subsets;
        // Like upstream's (a Go map with omitempty), no labels means no labels field.
        desired.Metadata.Labels = labels.Count == 0 ? null : labels;
        var annotations = desired.Metadata.Annotations ??= new Dictionary<string, string>();
        if (EndpointsBuilder.TriggerTime(service, pods) is { } trigger)
            annotations[EndpointsKeys.LastChangeTriggerTime] = trigger.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'");
        else annotations.Remove(EndpointsKeys.LastChangeTriggerTime);
        if (truncated) annotations[EndpointsKeys.OverCapacity] = "truncated";
        else annotations.Remove(EndpointsKeys.OverCapacity);

        try
        {
            if (current is null) await _client.CoreV1.CreateNamespacedEndpointsAsync(desired, ns, cancellationToken: ct);
            else await _client.CoreV1.ReplaceNamespacedEndpointsAsync(desired, name, ns, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode != HttpStatusCode.Conflict)
        {
            // A conflict only means our cache is behind: retry quietly. Anything else is worth an event.
            var (reason, message) = current is null
                ? ("FailedToCreateEndpoint", $"Failed to create endpoint for service {ns}/{name}: {e.Message}")
                : ("FailedToUpdateEndpoint", $"Failed to update endpoint {ns}/{name}: {e.Message}");
            await _recorder.WarningAsync(service, reason, message, ct);
            throw;
        }
    }


    /// <summary>The Service's labels, plus the headless marker when it has no cluster IP.</summary>
    internal static Dictionary<string, string> DesiredLabels(V1Service service)
    {
        var labels = new Dictionary<string, string>(service.Metadata.Labels ?? new Dictionary<string, string>());
        if (PodEndpointRules.IsServiceIpSet(service)) labels.Remove(EndpointsKeys.HeadlessLabel);
        else labels[EndpointsKeys.HeadlessLabel] = "";
        return labels;
    }

    internal static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string> b) =>
        (a?.Count ?? 0) == b.Count && b.All(p => a!.TryGetValue(p.Key, out var v) && v == p.Value);
}
