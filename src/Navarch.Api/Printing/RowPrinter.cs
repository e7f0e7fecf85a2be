using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Navarch.Api.Printing;

/// <summary>The columns of one kind and how to fill a row (one of upstream's print handlers, always "wide").</summary>
internal abstract class RowPrinter
{
    public abstract IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The row's cells, one per column: strings, or numbers for integer cells.</summary>
    public abstract IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now);

    /// <summary>Row conditions (pods that completed), or null.</summary>
    public virtual JsonArray? Conditions(IKubernetesObject<V1ObjectMeta> obj) => null;

    protected static JsonNode? Cell(string? text) => JsonValue.Create(text ?? "");

    protected static JsonNode? Cell(long number) => JsonValue.Create(number);

    protected static string Age(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now) =>
        HumanDuration.Since(obj.Metadata?.CreationTimestamp, now);

    /// <summary>Upstream's labels.FormatLabels: <c>a=b,c=d</c> sorted by key, or "&lt;none&gt;".</summary>
    protected static string FormatLabels(IDictionary<string, string>? labels) =>
        labels is null || labels.Count == 0
            ? "<none>"
            : string.Join(",", labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    /// <summary>Upstream's metav1.FormatLabelSelector: the selector as text, or "&lt;none&gt;" when it selects by nothing.</summary>
    protected static string FormatSelector(V1LabelSelector? selector)
    {
        var text = Selectors.LabelSelector.FromLabelSelector(selector).ToString();
        return text.Length == 0 ? "<none>" : text;
    }

    /// <summary>Upstream's layoutContainerCells: names and images, comma separated.</summary>
    protected static (string Names, string Images) ContainerCells(IEnumerable<V1Container>? containers)
    {
        var list = containers?.ToList() ?? [];
        return (string.Join(",", list.Select(c => c.Name)), string.Join(",", list.Select(c => c.Image)));
    }

    /// <summary>Upstream's listWithMoreString: at most three, then "+ N more...", or "&lt;unset&gt;" when empty.</summary>
    protected static string ListWithMore(IReadOnlyList<string> all, int max = 3)
    {
        var shown = string.Join(",", all.Take(max));
        if (all.Count > max)
        {
            return $"{shown} + {all.Count - max} more...";
        }
        return shown.Length == 0 ? "<unset>" : shown;
    }
}
