using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using k8s.Models;

namespace Navarch.Dns.Records;

/// <summary>
/// Builds a <see cref="ServiceRecords"/> from a Service and its EndpointSlices, to the letter of the Kubernetes DNS
/// specification (kubernetes/dns docs/specification.md, schema 1.1.0) and with the choices CoreDNS's kubernetes plugin
/// makes where the specification leaves them open (SRV priority 0 and weight 100/N, endpoint hostnames from the IP).
/// </summary>
public static class ServiceRecordsBuilder
{
    /// <summary>The annotation that makes not-ready endpoints count as ready (spec 2.1, "ready").</summary>
    public const string TolerateUnreadyAnnotation = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

    public static ServiceRecords Build(V1Service service, IEnumerable<V1EndpointSlice> slices, DomainName zone, int ttl)
    {
        var ns = service.Metadata.NamespaceProperty ?? "default";
        var name = service.Metadata.Name;
        var serviceName = ServiceName(name, ns, zone);
        var names = new Dictionary<string, RecordSet>(StringComparer.Ordinal);
        var pointers = new List<(IPAddress, DomainName)>();
        var spec = service.Spec ?? new V1ServiceSpec();

        if (spec.Type == "ExternalName")
        {
            if (!string.IsNullOrEmpty(spec.ExternalName) && DomainName.TryParse(spec.ExternalName.TrimEnd('.'), out var target) && target is not null)
                names[""] = new RecordSet { CName = new CNameRecord(serviceName, ttl, target) };
            return new ServiceRecords(ns, name, names, pointers);
        }

        var clusterIps = ClusterIps(spec);
        if (clusterIps.Count > 0)
        {
            var own = Set(names, "");
            foreach (var ip in clusterIps)
            {
                Address(own, serviceName, ttl, ip);
                pointers.Add((ip, serviceName));
            }
            foreach (var port in spec.Ports ?? [])
            {
                if (string.IsNullOrEmpty(port.Name)) continue; // unnamed ports have no SRV record (spec 2.3.2)
                var srv = Set(names, SrvLabel(port.Name, port.Protocol));
                srv.Srv.Add(new SrvRecord(SrvName(port.Name, port.Protocol, serviceName), ttl, 0, 100, (ushort)port.Port, serviceName));
                srv.SrvAdditional.AddRange(own.A.Concat(own.Aaaa));
            }
            return new ServiceRecords(ns, name, names, pointers);
        }

        // Headless: every ready endpoint, by address and by hostname (spec 2.4).
        var everyEndpointReady = spec.PublishNotReadyAddresses == true ||
            (service.Metadata.Annotations?.TryGetValue(TolerateUnreadyAnnotation, out var tolerate) == true && tolerate == "true");
        var seen = new HashSet<(IPAddress, string)>();
        var srvByPort = new Dictionary<string, List<(ushort Port, DomainName Target)>>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            if (slice.AddressType is not ("IPv4" or "IPv6")) continue;
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (!everyEndpointReady && endpoint.Conditions?.Ready == false) continue;
                foreach (var text in endpoint.Addresses ?? [])
                {
                    if (!IPAddress.TryParse(text, out var ip)) continue;
                    var hostname = string.IsNullOrEmpty(endpoint.Hostname) ? Dashed(ip) : endpoint.Hostname.ToLowerInvariant();
                    if (!seen.Add((ip, hostname))) continue;
                    var hostName = new DomainName([hostname, .. serviceName.Labels]);
                    Address(Set(names, ""), serviceName, ttl, ip);
                    Address(Set(names, hostname), hostName, ttl, ip);
                    pointers.Add((ip, hostName));
                    foreach (var port in slice.Ports ?? [])
                    {
                        if (string.IsNullOrEmpty(port.Name) || port.Port is null) continue;
                        var label = SrvLabel(port.Name, port.Protocol);
                        if (!srvByPort.TryGetValue(label, out var list)) srvByPort[label] = list = [];
                        list.Add(((ushort)port.Port.Value, hostName));
                    }
                }
            }
        }
        foreach (var (label, targets) in srvByPort)
        {
            var set = Set(names, label);
            var owner = new DomainName([.. label.Split('.'), .. serviceName.Labels]);
            var weight = (ushort)Math.Max(1, 100 / targets.Count); // CoreDNS: the weight of 100 split over the targets
            foreach (var (port, target) in targets.Distinct())
            {
                set.Srv.Add(new SrvRecord(owner, ttl, 0, weight, port, target));
                var host = names[target.Labels[0]];
                set.SrvAdditional.AddRange(host.A.Concat(host.Aaaa));
            }
        }
        return new ServiceRecords(ns, name, names, pointers);
    }

    /// <summary><c>&lt;service&gt;.&lt;ns&gt;.svc.&lt;zone&gt;</c>, lower case.</summary>
    public static DomainName ServiceName(string name, string ns, DomainName zone) =>
        new([name.ToLowerInvariant(), ns.ToLowerInvariant(), "svc", .. zone.Labels]);

    /// <summary>An address as a DNS label: dots (IPv4) or colons (IPv6, fully written) become dashes, as CoreDNS does.</summary>
    public static string Dashed(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetwork
        ? ip.ToString().Replace('.', '-')
        : ip.ToString().Replace(':', '-');

    private static string SrvLabel(string port, string? protocol) =>
        $"_{port.ToLowerInvariant()}._{(protocol ?? "TCP").ToLowerInvariant()}";

    private static DomainName SrvName(string port, string? protocol, DomainName service) =>
        new([.. SrvLabel(port, protocol).Split('.'), .. service.Labels]);

    private static List<IPAddress> ClusterIps(V1ServiceSpec spec)
    {
        var texts = spec.ClusterIPs is { Count: > 0 } ? spec.ClusterIPs : spec.ClusterIP is null ? [] : [spec.ClusterIP];
        var ips = new List<IPAddress>();
        foreach (var t in texts)
            if (t != "None" && IPAddress.TryParse(t, out var ip)) ips.Add(ip);
        return ips;
    }

    private static RecordSet Set(Dictionary<string, RecordSet> names, string relative)
    {
        if (!names.TryGetValue(relative, out var set)) names[relative] = set = new RecordSet();
        return set;
    }

    private static void Address(RecordSet set, DomainName owner, int ttl, IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetwork) set.A.Add(new ARecord(owner, ttl, ip));
        else set.Aaaa.Add(new AaaaRecord(owner, ttl, ip));
    }
}
