using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.Namespace;

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
