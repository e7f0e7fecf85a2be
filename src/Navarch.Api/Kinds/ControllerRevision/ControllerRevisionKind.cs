using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.ControllerRevision;

/// <summary>apps/v1 ControllerRevision: an immutable snapshot of a DaemonSet's (or StatefulSet's) template.</summary>
public sealed class ControllerRevisionKind() : KindDefinition<V1ControllerRevision>(ResourceType.Create<V1ControllerRevision>(
    "apps", "v1", "ControllerRevision", "controllerrevisions", namespaced: true))
{
    internal override RowPrinter Printer { get; } = new ControllerRevisionRowPrinter();

    protected override void Validate(V1ControllerRevision revision, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(revision.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        WorkloadRules.NonNegative(revision.Revision, "revision", errors);
    }

    /// <summary>ValidateControllerRevisionUpdate: data never changes.</summary>
    protected override void ValidateUpdate(V1ControllerRevision revision, V1ControllerRevision old, List<FieldError> errors)
    {
        if (!JsonEquality.Same(revision.Data, old.Data))
            errors.Add(FieldError.InvalidLiteral("data", "runtime.RawExtension{...}", "field is immutable"));
    }
}

/// <summary>ControllerRevisions: NAME CONTROLLER REVISION AGE.</summary>
internal sealed class ControllerRevisionRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Controller", "Controller of the object"),
        TableColumn.Text("Revision", "Revision indicates the revision of the state represented by Data."),
        TableColumn.Age,
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var revision = (V1ControllerRevision)obj;
        var owner = revision.Metadata?.OwnerReferences?.FirstOrDefault(r => r.Controller == true);
        // Upstream prints the owner as a GroupKind/name, e.g. daemonset.apps/web.
        var controller = owner is null ? "<none>" : $"{QualifiedKind(owner)}/{owner.Name}";
        return [Cell(revision.Metadata?.Name), Cell(controller), Cell(revision.Revision ?? 0), Cell(Age(revision, now))];
    }

    private static string QualifiedKind(V1OwnerReference owner)
    {
        var slash = owner.ApiVersion?.IndexOf('/') ?? -1;
        var group = slash > 0 ? owner.ApiVersion![..slash] : "";
        var kind = owner.Kind?.ToLowerInvariant() ?? "";
        return group.Length == 0 ? kind : $"{kind}.{group}";
    }
}
