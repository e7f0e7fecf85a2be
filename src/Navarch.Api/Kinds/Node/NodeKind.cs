using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Node;

/// <summary>v1 Node: agents register with their status, so create keeps it.</summary>
public sealed class NodeKind() : KindDefinition<V1Node>(ResourceType.Create<V1Node>(
    "", "v1", "Node", "nodes", namespaced: false, shortNames: ["no"], subresources: ["status"]))
{
    internal override RowPrinter Printer { get; } = new NodeRowPrinter();

    public override bool KeepsStatusOnCreate => true;

    public override IReadOnlyList<string> SelectableFields { get; } = ["metadata.name", "spec.unschedulable"];

    /// <summary>SetDefaults_NodeStatus: allocatable defaults to capacity.</summary>
    protected override void Default(V1Node node)
    {
        if (node.Status?.Capacity is { } capacity && node.Status.Allocatable is null)
            node.Status.Allocatable = capacity.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value.ToString()));
    }

    protected override void Validate(V1Node node, List<FieldError> errors) => NodeValidator.Validate(node, errors);

    protected override void ValidateUpdate(V1Node node, V1Node old, List<FieldError> errors) => NodeValidator.ValidateUpdate(node, old, errors);

    protected override string? FieldValue(V1Node node, string field) =>
        field == "spec.unschedulable" ? Bool(node.Spec?.Unschedulable) : null;

    public override void DeclarePatchKeys(PatchKeyTable table) => table
        // Taints carry no strategy upstream: they are replaced.
        .Add(typeof(V1NodeSpec), "podCIDRs", new("merge", null, "set"))
        .Add(typeof(V1NodeStatus), "conditions", PatchKey.MergeByType)
        .Add(typeof(V1NodeStatus), "addresses", PatchKey.MergeByType);
}
