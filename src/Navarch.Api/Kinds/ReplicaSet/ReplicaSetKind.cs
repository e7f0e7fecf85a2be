using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.ReplicaSet;

/// <summary>apps/v1 ReplicaSet: the ReplicationController's rules over a set-based selector.</summary>
public sealed class ReplicaSetKind() : KindDefinition<V1ReplicaSet>(ResourceType.Create<V1ReplicaSet>(
    "apps", "v1", "ReplicaSet", "replicasets", namespaced: true, shortNames: ["rs"], categories: ["all"],
    subresources: ["status", "scale"]))
{
    internal override RowPrinter Printer { get; } = new ReplicaSetRowPrinter();

    public override bool TracksGeneration => true;

    public override ScaleSubresource Scale => ScaleSubresource.Standard;

    protected override void Default(V1ReplicaSet rs)
    {
        var spec = rs.Spec ??= new V1ReplicaSetSpec();
        spec.Replicas ??= 1;
        if (spec.Template?.Spec is { } podSpec) PodDefaults.ApplySpec(podSpec);
    }

    /// <summary>ValidateReplicaSet: selector, template (restartPolicy Always), counts.</summary>
    protected override void Validate(V1ReplicaSet rs, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(rs.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var spec = rs.Spec ?? new V1ReplicaSetSpec();
        WorkloadRules.NonNegative(spec.Replicas, "spec.replicas", errors);
        WorkloadRules.NonNegative(spec.MinReadySeconds, "spec.minReadySeconds", errors);
        WorkloadRules.ValidateSelector(spec.Selector, "spec.selector", "deployment", errors);
        WorkloadRules.ValidateTemplate(spec.Template, spec.Selector, "spec.template", ["Always"], errors);
        if (spec.Template?.Spec?.ActiveDeadlineSeconds is { } deadline)
            errors.Add(FieldError.Invalid("spec.template.spec.activeDeadlineSeconds", deadline, "activeDeadlineSeconds in ReplicaSet is not Supported"));
    }

    protected override void ValidateUpdate(V1ReplicaSet rs, V1ReplicaSet old, List<FieldError> errors) =>
        WorkloadRules.ImmutableSelector(rs.Spec?.Selector, old.Spec?.Selector, "spec.selector", errors);

    public override void DeclarePatchKeys(PatchKeyTable table) =>
        table.Add(typeof(V1ReplicaSetStatus), "conditions", PatchKey.MergeByType);
}
