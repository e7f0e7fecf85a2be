using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.Endpoints;

/// <summary>Endpoints: NAME ENDPOINTS AGE, ENDPOINTS as <c>10.0.0.1:80,10.0.0.2:80 + 1 more...</c>.</summary>
internal sealed class EndpointsRowPrinter : RowPrinter
{
    private const int MaxShown = 3;

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Endpoints", "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service."),
        TableColumn.Age,
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var ep = (V1Endpoints)obj;
        return [Cell(ep.Metadata?.Name), Cell(Format(ep)), Cell(Age(ep, now))];
    }

    // Upstream's formatEndpoints: ready addresses only, ip:port per port, three at most.
    private static string Format(V1Endpoints ep)
    {
        var subsets = ep.Subsets ?? [];
        if (subsets.Count == 0)
        {
            return "<none>";
        }
        var list = new List<string>();
        var count = 0;
        foreach (var ss in subsets)
        {
            var addresses = ss.Addresses ?? [];
            if ((ss.Ports?.Count ?? 0) == 0)
            {
                count += addresses.Count;
                list.AddRange(addresses.Select(a => a.Ip).Take(MaxShown - list.Count));
                continue;
            }
            foreach (var port in ss.Ports!)
            {
                count += addresses.Count;
                list.AddRange(addresses.Select(a => JoinHostPort(a.Ip, port.Port)).Take(MaxShown - list.Count));
            }
        }
        var text = string.Join(",", list);
        return count > MaxShown ? $"{text} + {count - MaxShown} more..." : text;
    }

    private static string JoinHostPort(string? ip, int port)
    {
        var host = ip ?? "";
        return (host.Contains(':') ? $"[{host}]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);
    }
}
