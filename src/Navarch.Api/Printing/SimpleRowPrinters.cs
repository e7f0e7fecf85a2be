using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Navarch.Api.Printing;

/// <summary>Namespaces: NAME STATUS AGE.</summary>
internal sealed class NamespaceRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, TableColumn.Text("Status", "The status of the namespace"), TableColumn.Age];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var ns = (V1Namespace)obj;
        return [Cell(ns.Metadata?.Name), Cell(ns.Status?.Phase), Cell(Age(ns, now))];
    }
}

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

/// <summary>Any other kind: upstream's default NAME and CREATED AT (RFC 3339) columns.</summary>
internal sealed class DefaultRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
        [TableColumn.ObjectName, new TableColumn("Created At", "date", "", TableColumn.CreationTimestampDescription)];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var created = obj.Metadata?.CreationTimestamp ?? default;
        var utc = created.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(created, DateTimeKind.Utc) : created.ToUniversalTime();
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return [Cell(obj.Metadata?.Name), Cell(text)];
    }
}
