using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.Api.Printing;

/// <summary>
/// Server-side printing (Accept: application/json;as=Table;g=meta.k8s.io;v=v1), as upstream's printers: all
/// columns including priority 1 ones (kubectl hides those unless -o wide).
/// </summary>
public static class TablePrinter
{
    /// <summary>The column definitions of a resource's table.</summary>
    public static IReadOnlyList<TableColumn> Columns(ResourceType rt) => PrinterFor(rt).Columns;

    /// <summary>
    /// A meta.k8s.io/v1 Table of the objects, ages measured at <paramref name="now"/>. Its metadata is an empty
    /// object for the caller to fill (resourceVersion, continue). Without column definitions (later watch events)
    /// <c>columnDefinitions</c> is null, as upstream sends it.
    /// </summary>
    public static JsonObject Print(
        ResourceType rt, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects, DateTimeOffset now,
        IncludeObject include, bool withColumnDefinitions)
    {
        var printer = PrinterFor(rt);
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var row = new JsonObject { ["cells"] = new JsonArray(printer.Cells(obj, now).ToArray()) };
            if (printer.Conditions(obj) is { } conditions)
            {
                row["conditions"] = conditions;
            }
            if (RowObject(rt, obj, include) is { } embedded)
            {
                row["object"] = embedded;
            }
            rows.Add(row);
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject(),
            ["columnDefinitions"] = withColumnDefinitions ? ColumnsJson(printer.Columns) : null,
            ["rows"] = rows,
        };
    }

    private static RowPrinter PrinterFor(ResourceType rt) => rt.Definition.Printer;

    private static JsonArray ColumnsJson(IReadOnlyList<TableColumn> columns) =>
        new(columns.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name,
            ["type"] = c.Type,
            ["format"] = c.Format,
            ["description"] = c.Description,
            ["priority"] = c.Priority,
        }).ToArray());

    private static JsonNode? RowObject(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj, IncludeObject include)
    {
        switch (include)
        {
            case IncludeObject.None:
                return null;
            case IncludeObject.Object:
                var full = JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject();
                full["kind"] = rt.Kind;
                full["apiVersion"] = rt.ApiVersion;
                return full;
            default:
                return new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = JsonNode.Parse(KubernetesJson.Serialize(obj.Metadata ?? new V1ObjectMeta())),
                };
        }
    }
}
