using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.Lease;

/// <summary>Leases: NAME HOLDER AGE.</summary>
internal sealed class LeaseRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Holder", "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."),
        TableColumn.Age,
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var lease = (V1Lease)obj;
        return [Cell(lease.Metadata?.Name), Cell(lease.Spec?.HolderIdentity), Cell(Age(lease, now))];
    }
}
