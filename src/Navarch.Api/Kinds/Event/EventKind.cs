using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Event;

/// <summary>v1 Event (core): selectable by the object it is about, reason, source and type.</summary>
public sealed class EventKind() : KindDefinition<Corev1Event>(ResourceType.Create<Corev1Event>(
    "", "v1", "Event", "events", namespaced: true, shortNames: ["ev"]))
{
    internal override RowPrinter Printer { get; } = new EventRowPrinter();

    public override IReadOnlyList<string> SelectableFields { get; } =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
        "reportingComponent", "source", "type", "metadata.namespace", "metadata.name",
    ];

    protected override void Validate(Corev1Event ev, List<FieldError> errors) => EventValidator.Validate(ev, errors);

    protected override string? FieldValue(Corev1Event ev, string field)
    {
        var io = ev.InvolvedObject;
        return field switch
        {
            "involvedObject.kind" => io?.Kind ?? "",
            "involvedObject.namespace" => io?.NamespaceProperty ?? "",
            "involvedObject.name" => io?.Name ?? "",
            "involvedObject.uid" => io?.Uid ?? "",
            "involvedObject.apiVersion" => io?.ApiVersion ?? "",
            "involvedObject.resourceVersion" => io?.ResourceVersion ?? "",
            "involvedObject.fieldPath" => io?.FieldPath ?? "",
            "reason" => ev.Reason ?? "",
            "reportingComponent" => ev.ReportingComponent ?? "",
            "source" => string.IsNullOrEmpty(ev.Source?.Component) ? ev.ReportingComponent ?? "" : ev.Source.Component,
            "type" => ev.Type ?? "",
            _ => null,
        };
    }
}
