using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Deployment;

/// <summary>apps/v1 Deployment: upstream's defaults (RollingUpdate 25%/25%, history 10, deadline 600 s) and checks.</summary>
public sealed class DeploymentKind() : KindDefinition<V1Deployment>(ResourceType.Create<V1Deployment>(
    "apps", "v1", "Deployment", "deployments", namespaced: true, shortNames: ["deploy"], categories: ["all"],
    subresources: ["status", "scale"]))
{
    internal override RowPrinter Printer { get; } = new DeploymentRowPrinter();

    public override bool TracksGeneration => true;

    public override ScaleSubresource Scale => ScaleSubresource.Standard;

    /// <summary>SetDefaults_Deployment (apps/v1).</summary>
    protected override void Default(V1Deployment d)
    {
        var spec = d.Spec ??= new V1DeploymentSpec();
        spec.Replicas ??= 1;
        var strategy = spec.Strategy ??= new V1DeploymentStrategy();
        if (string.IsNullOrEmpty(strategy.Type)) strategy.Type = "RollingUpdate";
        if (strategy.Type == "RollingUpdate")
        {
            strategy.RollingUpdate ??= new V1RollingUpdateDeployment();
            strategy.RollingUpdate.MaxUnavailable ??= (IntOrString)"25%";
            strategy.RollingUpdate.MaxSurge ??= (IntOrString)"25%";
        }
        spec.RevisionHistoryLimit ??= 10;
        spec.ProgressDeadlineSeconds ??= 600;
        if (spec.Template?.Spec is { } podSpec) PodDefaults.ApplySpec(podSpec);
    }

    /// <summary>ValidateDeployment: selector, template, strategy and the counts.</summary>
    protected override void Validate(V1Deployment d, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(d.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var spec = d.Spec ?? new V1DeploymentSpec();
        WorkloadRules.NonNegative(spec.Replicas, "spec.replicas", errors);
        WorkloadRules.ValidateSelector(spec.Selector, "spec.selector", "deployment", errors);
        WorkloadRules.ValidateTemplate(spec.Template, spec.Selector, "spec.template", ["Always"], errors);
        RollingUpdateRules.ValidateStrategy(spec.Strategy, errors);
        WorkloadRules.NonNegative(spec.MinReadySeconds, "spec.minReadySeconds", errors);
        WorkloadRules.NonNegative(spec.RevisionHistoryLimit, "spec.revisionHistoryLimit", errors);
        if (spec.ProgressDeadlineSeconds is { } deadline)
        {
            WorkloadRules.NonNegative(deadline, "spec.progressDeadlineSeconds", errors);
            if (deadline <= (spec.MinReadySeconds ?? 0))
                errors.Add(FieldError.Invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"));
        }
    }

    protected override void ValidateUpdate(V1Deployment d, V1Deployment old, List<FieldError> errors) =>
        WorkloadRules.ImmutableSelector(d.Spec?.Selector, old.Spec?.Selector, "spec.selector", errors);

    public override void DeclarePatchKeys(PatchKeyTable table) => table
        .Add(typeof(V1DeploymentSpec), "strategy", new("retainKeys", null))
        .Add(typeof(V1DeploymentStatus), "conditions", PatchKey.MergeByType);
}
