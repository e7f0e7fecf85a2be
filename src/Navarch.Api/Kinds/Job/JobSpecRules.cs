using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Job;

/// <summary>Upstream's ValidateJobSpec and the immutable fields of ValidateJobSpecUpdate; CronJobs reuse them for their template.</summary>
public static class JobSpecRules
{
    private static readonly string[] RestartPolicies = ["OnFailure", "Never"];
    private static readonly string[] CompletionModes = ["NonIndexed", "Indexed"];

    public static void Validate(V1JobSpec spec, string path, List<FieldError> errors)
    {
        WorkloadRules.NonNegative(spec.Parallelism, path + ".parallelism", errors);
        WorkloadRules.NonNegative(spec.Completions, path + ".completions", errors);
        WorkloadRules.NonNegative(spec.BackoffLimit, path + ".backoffLimit", errors);
        WorkloadRules.NonNegative(spec.TtlSecondsAfterFinished, path + ".ttlSecondsAfterFinished", errors);
        if (spec.ActiveDeadlineSeconds is <= 0)
            errors.Add(FieldError.Invalid(path + ".activeDeadlineSeconds", spec.ActiveDeadlineSeconds.Value, "must be greater than 0"));
        var mode = spec.CompletionMode;
        if (mode is not null && !CompletionModes.Contains(mode))
            errors.Add(FieldError.NotSupported(path + ".completionMode", mode, CompletionModes));
        else if (mode == "Indexed" && spec.Completions is null)
            errors.Add(FieldError.Required(path + ".completions", "when completion mode is Indexed"));
        // The selector is generated when not manual; a manual one must be valid and match the template.
        if (spec.Selector is null && spec.ManualSelector == true)
            errors.Add(FieldError.Required(path + ".selector"));
        else if (spec.Selector is not null)
            WorkloadRules.ValidateSelector(spec.Selector, path + ".selector", "job", errors);
        WorkloadRules.ValidateTemplate(spec.Template, spec.Selector, path + ".template", RestartPolicies, errors);
    }

    /// <summary>The selector, template and completion mode do not change after create (but a suspended job's template may).</summary>
    public static void ValidateUpdate(V1JobSpec spec, V1JobSpec old, List<FieldError> errors)
    {
        WorkloadRules.ImmutableSelector(spec.Selector, old.Selector, "spec.selector", errors);
        if ((spec.CompletionMode ?? "") != (old.CompletionMode ?? ""))
            errors.Add(FieldError.Invalid("spec.completionMode", spec.CompletionMode, "field is immutable"));
        if (old.Suspend != true && !Same(spec.Template, old.Template))
            errors.Add(FieldError.InvalidLiteral("spec.template", "core.PodTemplateSpec{...}", "field is immutable"));
        if (spec.Completions != old.Completions && !(spec.CompletionMode == "Indexed" && spec.Completions == spec.Parallelism))
            errors.Add(FieldError.Invalid("spec.completions", spec.Completions ?? 0, "field is immutable"));
    }

    private static bool Same(V1PodTemplateSpec? a, V1PodTemplateSpec? b) => JsonEquality.Same(a, b);
}
