using k8s.Models;
using Navarch.Controllers.Endpoints;

namespace Navarch.Controllers.EndpointSlices;

/// <summary>A group of endpoints that share one resolved port list, so they can share slices.</summary>
/// <param name="PortsKey">The ports in canonical text; equal keys mean equal port lists.</param>
public sealed record PortGroup(string PortsKey, IReadOnlyList<Discoveryv1EndpointPort> Ports, IReadOnlyList<V1Endpoint> Endpoints);

/// <summary>Turns a Service's pods into discovery/v1 endpoints grouped by port list (upstream's podToEndpoint and getEndpointPorts).</summary>
public static class SliceEndpoints
{
    /// <summary>The address type of the Service's slices: its first IP family.</summary>
    public static string AddressType(V1Service service) =>
        service.Spec?.IpFamilies is { Count: > 0 } f && f[0] == "IPv6" ? "IPv6" : "IPv4";

    /// <summary>
    /// One group per distinct resolved port list, endpoints sorted by address. Terminating pods are included
    /// (with <c>terminating</c> true); pods without an IP, terminal pods, and pods missing every port are not.
    /// </summary>
    public static List<PortGroup> Groups(V1Service service, IEnumerable<V1Pod> pods, Func<string, V1Node?>? nodes = null)
    {
        var groups = new Dictionary<string, (List<Discoveryv1EndpointPort> Ports, List<V1Endpoint> Endpoints)>();
        var servicePorts = service.Spec?.Ports ?? [];
        foreach (var pod in pods)
        {
            if (!PodEndpointRules.ShouldBeEndpoint(pod, includeTerminating: true)) continue;
            var ip = PodEndpointRules.AddressFor(service, pod);
            if (ip is null) continue;
            var ports = new List<Discoveryv1EndpointPort>();
            foreach (var sp in servicePorts)
            {
                if (PodEndpointRules.FindPort(pod, sp) is not { } number) continue;
                ports.Add(new Discoveryv1EndpointPort { Name = sp.Name ?? "", Port = number, Protocol = sp.Protocol ?? "TCP", AppProtocol = sp.AppProtocol });
            }
            if (servicePorts.Count > 0 && ports.Count == 0) continue;
            var key = PortsKey(ports);
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = (ports, []);
            var node = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : nodes?.Invoke(pod.Spec.NodeName);
            group.Endpoints.Add(Endpoint(service, pod, ip, node));
        }
        return groups
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new PortGroup(g.Key, g.Value.Ports, g.Value.Endpoints.OrderBy(EndpointKey, StringComparer.Ordinal).ToList()))
            .ToList();
    }

    /// <summary>The endpoint for one pod: ready (serving and not terminating, or publishNotReadyAddresses), serving, terminating.</summary>
    public static V1Endpoint Endpoint(V1Service service, V1Pod pod, string ip, V1Node? node)
    {
        var serving = PodEndpointRules.IsReady(pod);
        var terminating = pod.Metadata.DeletionTimestamp is not null;
        var ready = service.Spec?.PublishNotReadyAddresses == true || (serving && !terminating);
        var zone = node?.Metadata.Labels?.TryGetValue("topology.kubernetes.io/zone", out var z) == true && z != "" ? z : null;
        return new V1Endpoint
        {
            Addresses = [ip],
            Conditions = new V1EndpointConditions { Ready = ready, Serving = serving, Terminating = terminating },
            NodeName = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
            Hostname = PodEndpointRules.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
            Zone = zone,
            TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = pod.Metadata.NamespaceProperty, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
        };
    }

    /// <summary>Canonical text of a port list (order-insensitive).</summary>
    public static string PortsKey(IEnumerable<Discoveryv1EndpointPort>? ports) =>
        string.Join(";", (ports ?? []).Select(p => $"{p.Name}/{p.Port}/{p.Protocol}/{p.AppProtocol}").OrderBy(s => s, StringComparer.Ordinal));

    /// <summary>Identity of an endpoint across syncs: its first address and its pod's uid.</summary>
    public static string EndpointKey(V1Endpoint e) => $"{e.Addresses?.FirstOrDefault()}|{e.TargetRef?.Uid}";
}
