using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.Event;

/// <summary>Events: LAST SEEN TYPE REASON OBJECT MESSAGE | SUBOBJECT SOURCE FIRST SEEN COUNT NAME (upstream's order).</summary>
internal sealed class EventRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.Text("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
        TableColumn.Text("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
        TableColumn.Text("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        TableColumn.Text("Object", "The object that this event is about."),
        TableColumn.Text("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].", 1),
        TableColumn.Text("Source", "The component reporting this event. Should be a short machine understandable string.", 1),
        TableColumn.Text("Message", "A human-readable description of the status of this operation."),
        TableColumn.Text("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
        TableColumn.Text("Count", "The number of times this event has occurred.", 1),
        TableColumn.ObjectName with { Priority = 1 },
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var ev = (Corev1Event)obj;
        var first = ev.FirstTimestamp is null ? HumanDuration.Since(ev.EventTime, now) : HumanDuration.Since(ev.FirstTimestamp, now);
        var last = ev.LastTimestamp is null ? first : HumanDuration.Since(ev.LastTimestamp, now);
        long count = ev.Count ?? 0;
        if (ev.Series is not null)
        {
            last = HumanDuration.Since(ev.Series.LastObservedTime, now);
            count = ev.Series.Count ?? 0;
        }
        else if (count == 0)
        {
            // Singleton events of the new API carry no count.
            count = 1;
        }
        var kind = (ev.InvolvedObject?.Kind ?? "").ToLowerInvariant();
        var target = string.IsNullOrEmpty(ev.InvolvedObject?.Name) ? kind : $"{kind}/{ev.InvolvedObject.Name}";
        return
        [
            Cell(last),
            Cell(ev.Type),
            Cell(ev.Reason),
            Cell(target),
            Cell(ev.InvolvedObject?.FieldPath),
            Cell(Source(ev)),
            Cell((ev.Message ?? "").Trim()),
            Cell(first),
            Cell(count),
            Cell(ev.Metadata?.Name),
        ];
    }

    // "component, host", falling back to reportingComponent / reportingInstance.
    private static string Source(Corev1Event ev)
    {
        var component = FirstNonEmpty(ev.Source?.Component, ev.ReportingComponent);
        var instance = FirstNonEmpty(ev.Source?.Host, ev.ReportingInstance);
        return instance.Length == 0 ? component : $"{component}, {instance}";
    }

    private static string FirstNonEmpty(string? a, string? b) => !string.IsNullOrEmpty(a) ? a : b ?? "";
}
