using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.EndpointSlice;

/// <summary>EndpointSlices: NAME ADDRESSTYPE PORTS ENDPOINTS AGE.</summary>
internal sealed class EndpointSliceRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("AddressType", "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type."),
        TableColumn.Text("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
        TableColumn.Text("Endpoints", "endpoints is a list of unique endpoints in this slice."),
        TableColumn.Age,
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var slice = (V1EndpointSlice)obj;
        var ports = (slice.Ports ?? [])
            .Select(p => p.Port is { } n ? n.ToString(CultureInfo.InvariantCulture) : p.Name ?? "*")
            .ToList();
        var addresses = (slice.Endpoints ?? []).SelectMany(e => e.Addresses ?? []).ToList();
        return
        [
            Cell(slice.Metadata?.Name),
            Cell(slice.AddressType),
            Cell(ListWithMore(ports)),
            Cell(ListWithMore(addresses)),
            Cell(Age(slice, now)),
        ];
    }
}
