using System.Globalization;
using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.ReplicationController;

/// <summary>v1 ReplicationController: generation tracking for observedGeneration, the scale subresource.</summary>
public sealed class ReplicationControllerKind() : KindDefinition<V1ReplicationController>(ResourceType.Create<V1ReplicationController>(
    "", "v1", "ReplicationController", "replicationcontrollers", namespaced: true, shortNames: ["rc"], categories: ["all"],
    subresources: ["status", "scale"]))
{
    internal override RowPrinter Printer { get; } = new ReplicationControllerRowPrinter();

    public override bool TracksGeneration => true;

    public override ScaleSubresource Scale => ScaleSubresource.Standard;

    public override IReadOnlyList<string> SelectableFields { get; } = ["metadata.name", "metadata.namespace", "status.replicas"];

    protected override void Default(V1ReplicationController rc) => ReplicationControllerDefaults.Apply(rc);

    protected override void Validate(V1ReplicationController rc, List<FieldError> errors) => ReplicationControllerValidator.Validate(rc, errors);

    protected override string? FieldValue(V1ReplicationController rc, string field) =>
        field == "status.replicas" ? (rc.Status?.Replicas ?? 0).ToString(CultureInfo.InvariantCulture) : null;

    public override void DeclarePatchKeys(PatchKeyTable table) => table
        .Add(typeof(V1ReplicationControllerSpec), "selector", PatchKey.AtomicMap)
        .Add(typeof(V1ReplicationControllerStatus), "conditions", PatchKey.MergeByType);
}
