using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Navarch.Api.Printing;

/// <summary>Any other kind: upstream's default NAME and CREATED AT (RFC 3339) columns.</summary>
internal sealed class DefaultRowPrinter : RowPrinter
{
    public static DefaultRowPrinter Instance { get; } = new();

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
