using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Navarch.Proxy.ChangeTracking;

/// <summary>
/// Joins Services with their EndpointSlices into the <see cref="ServicePort"/> records both proxy modes program
/// (upstream's ServiceChangeTracker and EndpointSliceCache folded into one pure function over the current objects).
/// </summary>
public static class ServicePortTable
{
    /// <summary>The label an EndpointSlice carries to name its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>sessionAffinityConfig.clientIP.timeoutSeconds when the service does not set it (three hours).</summary>
    public const int DefaultAffinitySeconds = 10800;

    /// <summary>
    /// One <see cref="ServicePort"/> per port of every Service that has a cluster IP, with the endpoints of the
    /// IPv4 EndpointSlices labelled <see cref="ServiceNameLabel"/> for it in the same namespace. Headless services
    /// (clusterIP None or empty), ExternalName services and services whose cluster IP is not IPv4 are left out (this
    /// proxy programs IPv4 only). A slice port matches a service port by name and protocol; its port number is the
    /// endpoint's target port. An address that appears in several slices (as during a slice hand-over) is kept once,
    /// from the slice whose name sorts first. The result is sorted by namespace, service and port name, and each
    /// port's endpoints by address then port, so the rules rendered from it are stable.
    /// </summary>
    public static IReadOnlyList<ServicePort> Build(IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices)
    {
        var slicesByService = slices
            .Where(s => s.AddressType == "IPv4")
            .Select(s => (Slice: s, Service: ServiceNameOf(s)))
            .Where(x => x.Service is not null)
            .GroupBy(x => (x.Slice.Metadata?.NamespaceProperty ?? "", x.Service!))
            .ToDictionary(
                g => g.Key,
                g => g.Select(x => x.Slice).OrderBy(s => s.Metadata?.Name ?? "", StringComparer.Ordinal).ToList());

        var result = new List<ServicePort>();
        foreach (var service in services)
        {
            if (ClusterIpOf(service) is not { } clusterIp) continue;
            var ns = service.Metadata?.NamespaceProperty ?? "";
            var name = service.Metadata?.Name ?? "";
            var serviceSlices = slicesByService.GetValueOrDefault((ns, name)) ?? [];
            foreach (var port in service.Spec.Ports ?? [])
            {
                result.Add(ToServicePort(service, ns, name, clusterIp, port, serviceSlices));
            }
        }

        result.Sort(CompareByName);
        return result;
    }

    /// <summary>
    /// The endpoints traffic to <paramref name="port"/> may go to: the ready ones; if none is ready anywhere, the ones
    /// that are still serving while terminating. That fallback is upstream's (KEP-1669, ProxyTerminatingEndpoints):
    /// during a rolling update the last pods are often all terminating, and sending new connections to a pod that
    /// still serves beats refusing them. Empty when the service has nothing to send traffic to.
    /// </summary>
    public static IReadOnlyList<ServiceEndpoint> Usable(ServicePort port) => Usable(port.Endpoints);

    /// <summary>The same choice among <paramref name="endpoints"/> (e.g. only this node's, for externalTrafficPolicy Local).</summary>
    public static IReadOnlyList<ServiceEndpoint> Usable(IEnumerable<ServiceEndpoint> endpoints)
    {
        var all = endpoints as IReadOnlyCollection<ServiceEndpoint> ?? endpoints.ToList();
        var ready = all.Where(e => e.Ready).ToList();
        return ready.Count > 0 ? ready : all.Where(e => e.Serving && e.Terminating).ToList();
    }

    private static ServicePort ToServicePort(
        V1Service service, string ns, string name, IPAddress clusterIp, V1ServicePort port, IReadOnlyList<V1EndpointSlice> slices)
    {
        var spec = service.Spec;
        var portName = port.Name ?? "";
        var protocol = port.Protocol ?? "TCP";
        // externalTrafficPolicy only governs traffic that arrives from outside: node ports and load balancers.
        var externallyReachable = spec.Type is "NodePort" or "LoadBalancer";
        return new ServicePort(
            Namespace: ns,
            Service: name,
            PortName: portName,
            Protocol: protocol,
            ClusterIp: clusterIp,
            Port: port.Port,
            NodePort: port.NodePort ?? 0,
            ClientIpAffinity: spec.SessionAffinity == "ClientIP",
            AffinitySeconds: spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds ?? DefaultAffinitySeconds,
            ExternalTrafficLocal: externallyReachable && spec.ExternalTrafficPolicy == "Local",
            Endpoints: EndpointsFor(portName, protocol, slices));
    }

    private static List<ServiceEndpoint> EndpointsFor(string portName, string protocol, IReadOnlyList<V1EndpointSlice> slices)
    {
        var byEndPoint = new Dictionary<IPEndPoint, ServiceEndpoint>();
        foreach (var slice in slices)
        {
            var slicePort = slice.Ports?.FirstOrDefault(p => (p.Name ?? "") == portName && (p.Protocol ?? "TCP") == protocol);
            if (slicePort?.Port is not { } targetPort) continue;
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (ToServiceEndpoint(endpoint, targetPort) is { } e) byEndPoint.TryAdd(e.EndPoint, e);
            }
        }

        var list = byEndPoint.Values.ToList();
        list.Sort(CompareByAddress);
        return list;
    }

    private static ServiceEndpoint? ToServiceEndpoint(V1Endpoint endpoint, int targetPort)
    {
        // Every address of one endpoint is the same pod; upstream uses the first.
        var first = endpoint.Addresses?.FirstOrDefault();
        if (first is null || !IPAddress.TryParse(first, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            return null;
        }

        var conditions = endpoint.Conditions;
        var ready = conditions?.Ready ?? true;
        return new ServiceEndpoint(
            address,
            targetPort,
            Ready: ready,
            Serving: conditions?.Serving ?? ready,
            Terminating: conditions?.Terminating ?? false,
            NodeName: endpoint.NodeName);
    }

    private static IPAddress? ClusterIpOf(V1Service service)
    {
        var spec = service.Spec;
        if (spec is null || spec.Type == "ExternalName") return null;
        var ip = spec.ClusterIP;
        if (string.IsNullOrEmpty(ip) || ip == "None") return null;
        return IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetwork ? address : null;
    }

    private static string? ServiceNameOf(V1EndpointSlice slice) =>
        slice.Metadata?.Labels is { } labels && labels.TryGetValue(ServiceNameLabel, out var name) && name.Length > 0 ? name : null;

    /// <summary>The order of rendered rules: namespace, service, port name, protocol (ordinal).</summary>
    internal static int CompareByName(ServicePort a, ServicePort b)
    {
        var c = string.CompareOrdinal(a.Namespace, b.Namespace);
        if (c == 0) c = string.CompareOrdinal(a.Service, b.Service);
        if (c == 0) c = string.CompareOrdinal(a.PortName, b.PortName);
        if (c == 0) c = string.CompareOrdinal(a.Protocol, b.Protocol);
        return c;
    }

    private static int CompareByAddress(ServiceEndpoint a, ServiceEndpoint b)
    {
        // Numeric, so 10.0.0.9 sorts before 10.0.0.10.
        var c = a.Address.GetAddressBytes().AsSpan().SequenceCompareTo(b.Address.GetAddressBytes());
        return c != 0 ? c : a.Port.CompareTo(b.Port);
    }
}
