using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.DaemonSet;

/// <summary>apps/v1 DaemonSet: RollingUpdate (maxUnavailable 1, maxSurge 0) by default, history limit 10.</summary>
public sealed class DaemonSetKind() : KindDefinition<V1DaemonSet>(ResourceType.Create<V1DaemonSet>(
    "apps", "v1", "DaemonSet", "daemonsets", namespaced: true, shortNames: ["ds"], categories: ["all"], subresources: ["status"]))
{
    internal override RowPrinter Printer { get; } = new DaemonSetRowPrinter();

    public override bool TracksGeneration => true;

    /// <summary>SetDefaults_DaemonSet (apps/v1).</summary>
    protected override void Default(V1DaemonSet ds)
    {
        var spec = ds.Spec ??= new V1DaemonSetSpec();
        var strategy = spec.UpdateStrategy ??= new V1DaemonSetUpdateStrategy();
        if (string.IsNullOrEmpty(strategy.Type)) strategy.Type = "RollingUpdate";
        if (strategy.Type == "RollingUpdate")
        {
            strategy.RollingUpdate ??= new V1RollingUpdateDaemonSet();
            strategy.RollingUpdate.MaxUnavailable ??= (IntOrString)"1";
            strategy.RollingUpdate.MaxSurge ??= (IntOrString)"0";
        }
        spec.RevisionHistoryLimit ??= 10;
        if (spec.Template?.Spec is { } podSpec) PodDefaults.ApplySpec(podSpec);
    }

    protected override void Validate(V1DaemonSet ds, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(ds.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var spec = ds.Spec ?? new V1DaemonSetSpec();
        WorkloadRules.ValidateSelector(spec.Selector, "spec.selector", "daemonset", errors);
        WorkloadRules.ValidateTemplate(spec.Template, spec.Selector, "spec.template", ["Always"], errors);
        WorkloadRules.NonNegative(spec.MinReadySeconds, "spec.minReadySeconds", errors);
        WorkloadRules.NonNegative(spec.RevisionHistoryLimit, "spec.revisionHistoryLimit", errors);
        var type = spec.UpdateStrategy?.Type ?? "";
        if (type is not ("OnDelete" or "RollingUpdate"))
            errors.Add(FieldError.NotSupported("spec.updateStrategy.type", type, ["OnDelete", "RollingUpdate"]));
    }

    protected override void ValidateUpdate(V1DaemonSet ds, V1DaemonSet old, List<FieldError> errors) =>
        WorkloadRules.ImmutableSelector(ds.Spec?.Selector, old.Spec?.Selector, "spec.selector", errors);

    public override void DeclarePatchKeys(PatchKeyTable table) =>
        table.Add(typeof(V1DaemonSetStatus), "conditions", PatchKey.MergeByType);
}
