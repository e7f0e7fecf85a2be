using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Kinds.Job;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.CronJob;

/// <summary>batch/v1 CronJob: concurrencyPolicy Allow, history limits 3 and 1, not suspended; a valid schedule and job template.</summary>
public sealed class CronJobKind() : KindDefinition<V1CronJob>(ResourceType.Create<V1CronJob>(
    "batch", "v1", "CronJob", "cronjobs", namespaced: true, shortNames: ["cj"], categories: ["all"], subresources: ["status"]))
{
    private static readonly string[] ConcurrencyPolicies = ["Allow", "Forbid", "Replace"];

    internal override RowPrinter Printer { get; } = new CronJobRowPrinter();

    public override bool TracksGeneration => true;

    /// <summary>SetDefaults_CronJob (batch/v1).</summary>
    protected override void Default(V1CronJob cj)
    {
        var spec = cj.Spec ??= new V1CronJobSpec();
        if (string.IsNullOrEmpty(spec.ConcurrencyPolicy)) spec.ConcurrencyPolicy = "Allow";
        spec.Suspend ??= false;
        spec.SuccessfulJobsHistoryLimit ??= 3;
        spec.FailedJobsHistoryLimit ??= 1;
        if (spec.JobTemplate?.Spec?.Template?.Spec is { } podSpec) PodDefaults.ApplySpec(podSpec);
    }

    protected override void Validate(V1CronJob cj, List<FieldError> errors)
    {
        // Upstream keeps CronJob names to 52 characters: the Job names it creates add an 11-character suffix.
        MetadataValidator.ValidateObjectMeta(cj.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        if (cj.Metadata?.Name is { Length: > 52 } name)
            errors.Add(FieldError.Invalid("metadata.name", name, "must be no more than 52 characters"));
        var spec = cj.Spec ?? new V1CronJobSpec();
        CronSchedule.Validate(spec.Schedule, spec.TimeZone, errors);
        var policy = spec.ConcurrencyPolicy ?? "";
        if (!ConcurrencyPolicies.Contains(policy))
            errors.Add(FieldError.NotSupported("spec.concurrencyPolicy", policy, ConcurrencyPolicies));
        WorkloadRules.NonNegative(spec.StartingDeadlineSeconds, "spec.startingDeadlineSeconds", errors);
        WorkloadRules.NonNegative(spec.SuccessfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit", errors);
        WorkloadRules.NonNegative(spec.FailedJobsHistoryLimit, "spec.failedJobsHistoryLimit", errors);
        var jobSpec = spec.JobTemplate?.Spec;
        if (jobSpec is null)
        {
            errors.Add(FieldError.Required("spec.jobTemplate.spec"));
            return;
        }
        if (jobSpec.ManualSelector == true)
            errors.Add(FieldError.NotSupported("spec.jobTemplate.spec.manualSelector", "true", ["nil", "false"]));
        JobSpecRules.Validate(jobSpec, "spec.jobTemplate.spec", errors);
    }
}
