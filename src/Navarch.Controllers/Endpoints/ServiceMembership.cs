using k8s.Models;
using Navarch.Api.Selectors;
using Navarch.Client.Informers;

namespace Navarch.Controllers.Endpoints;

/// <summary>Which Services select a pod: what pod handlers enqueue.</summary>
public static class ServiceMembership
{
    /// <summary>Keys of the Services in the pod's namespace whose (non-null) selector matches the pod's labels.</summary>
    public static IEnumerable<string> ServicesOf(V1Pod pod, IEnumerable<V1Service> services) =>
        services
            .Where(s => s.Metadata.NamespaceProperty == pod.Metadata.NamespaceProperty && s.Spec?.Selector is not null)
            .Where(s => LabelSelector.FromSet(s.Spec.Selector).Matches(pod.Metadata.Labels ?? new Dictionary<string, string>()))
            .Select(ObjectKey.Of);

    /// <summary>The Services a pod change concerns: those that selected it before and those that select it now.</summary>
    public static IEnumerable<string> ServicesOfChange(V1Pod old, V1Pod current, IReadOnlyList<V1Service> services) =>
        ServicesOf(old, services).Union(ServicesOf(current, services));

    /// <summary>Pod handlers that queue the keys of the Services a pod change concerns.</summary>
    public static EventHandlers<V1Pod> PodHandlers(Informer<V1Service> services, Action<IEnumerable<string>> enqueue) => new()
    {
        OnAdd = p => enqueue(ServicesOf(p, services.List(p.Metadata.NamespaceProperty))),
        OnUpdate = (old, p) => enqueue(ServicesOfChange(old, p, services.List(p.Metadata.NamespaceProperty))),
        OnDelete = p => enqueue(ServicesOf(p, services.List(p.Metadata.NamespaceProperty))),
    };
}
