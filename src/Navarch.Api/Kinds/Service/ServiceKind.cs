using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Service;

/// <summary>v1 Service (cluster IPs and node ports are allocated by the API server's ServiceStrategy).</summary>
public sealed class ServiceKind() : KindDefinition<V1Service>(ResourceType.Create<V1Service>(
    "", "v1", "Service", "services", namespaced: true, shortNames: ["svc"], categories: ["all"], subresources: ["status"]))
{
    internal override RowPrinter Printer { get; } = new ServiceRowPrinter();

    public override IReadOnlyList<string> SelectableFields { get; } = ["metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"];

    public override bool ReturnsDeletedObject => true;

    protected override void Default(V1Service svc) => ServiceDefaults.Apply(svc);

    protected override void Validate(V1Service svc, List<FieldError> errors) => ServiceValidator.Validate(svc, errors);

    protected override void ValidateUpdate(V1Service svc, V1Service old, List<FieldError> errors) => ServiceValidator.ValidateUpdate(svc, old, errors);

    protected override string? FieldValue(V1Service svc, string field) => field switch
    {
        "spec.clusterIP" => svc.Spec?.ClusterIP ?? "",
        "spec.type" => svc.Spec?.Type ?? "",
        _ => null,
    };

    public override void DeclarePatchKeys(PatchKeyTable table) => table
        .Add(typeof(V1ServiceSpec), "ports", new("merge", "port", "map", ["port", "protocol"]))
        .Add(typeof(V1ServiceSpec), "selector", PatchKey.AtomicMap)
        .Add(typeof(V1ServiceStatus), "conditions", PatchKey.MergeByType);
}
