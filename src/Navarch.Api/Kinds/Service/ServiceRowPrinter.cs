using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.Service;

/// <summary>Services: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE | SELECTOR.</summary>
internal sealed class ServiceRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
        TableColumn.Text("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
        TableColumn.Text("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
        TableColumn.Text("Port(s)", "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies"),
        TableColumn.Age,
        TableColumn.Text("Selector", "Route service traffic to pods with label keys and values matching this selector.", 1),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var svc = (V1Service)obj;
        var spec = svc.Spec ?? new V1ServiceSpec();
        var clusterIp = spec.ClusterIPs?.FirstOrDefault() ?? spec.ClusterIP;
        var ports = string.Join(",", (spec.Ports ?? []).Select(p => p.NodePort is > 0
            ? $"{p.Port}:{p.NodePort}/{p.Protocol}"
            : $"{p.Port}/{p.Protocol}"));
        return
        [
            Cell(svc.Metadata?.Name),
            Cell(spec.Type),
            Cell(string.IsNullOrEmpty(clusterIp) ? "<none>" : clusterIp),
            Cell(ExternalIp(svc)),
            Cell(ports.Length == 0 ? "<none>" : ports),
            Cell(Age(svc, now)),
            Cell(FormatLabels(spec.Selector)),
        ];
    }

    // Upstream's getServiceExternalIP with wide output (no truncation of load-balancer addresses).
    private static string ExternalIp(V1Service svc)
    {
        var spec = svc.Spec!;
        var externalIps = spec.ExternalIPs ?? [];
        switch (spec.Type)
        {
            case "ClusterIP" or "NodePort":
                return externalIps.Count > 0 ? string.Join(",", externalIps) : "<none>";
            case "LoadBalancer":
                var ingress = (svc.Status?.LoadBalancer?.Ingress ?? [])
                    .Select(i => !string.IsNullOrEmpty(i.Ip) ? i.Ip : i.Hostname)
                    .Where(a => !string.IsNullOrEmpty(a))
                    .Distinct()
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (externalIps.Count > 0)
                {
                    return string.Join(",", ingress.Concat(externalIps));
                }
                return ingress.Count > 0 ? string.Join(",", ingress) : "<pending>";
            case "ExternalName":
                return spec.ExternalName ?? "";
            default:
                return "<unknown>";
        }
    }
}
