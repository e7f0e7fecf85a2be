using k8s.Models;
using Navarch.Api.Selectors;

namespace Navarch.Api.Validation;

/// <summary>
/// Upstream's checks shared by the kinds that run pods from a template (apps/v1 and batch/v1): label selectors,
/// the template against its selector, non-negative counts and the immutable selector.
/// </summary>
public static class WorkloadRules
{
    private static readonly string[] SelectorOperators = ["In", "NotIn", "Exists", "DoesNotExist"];

    /// <summary>
    /// ValidateLabelSelector plus the "empty selector" rule: required, valid keys, values and operators, and
    /// not empty (<paramref name="kindWord"/> as upstream names it, e.g. "deployment").
    /// </summary>
    public static void ValidateSelector(V1LabelSelector? selector, string path, string kindWord, List<FieldError> errors)
    {
        if (selector is null)
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        MetadataValidator.ValidateLabels(selector.MatchLabels, path + ".matchLabels", errors);
        var i = 0;
        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var at = $"{path}.matchExpressions[{i++}]";
            var op = requirement.OperatorProperty ?? "";
            if (!SelectorOperators.Contains(op))
                errors.Add(FieldError.Invalid(at + ".operator", op, "not a valid selector operator"));
            else if (op is "In" or "NotIn" && (requirement.Values?.Count ?? 0) == 0)
                errors.Add(FieldError.Required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
            else if (op is "Exists" or "DoesNotExist" && (requirement.Values?.Count ?? 0) > 0)
                errors.Add(FieldError.Forbidden(at + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
            MetadataValidator.ValidateQualifiedName(requirement.Key ?? "", at + ".key", errors);
        }
        if ((selector.MatchLabels?.Count ?? 0) + (selector.MatchExpressions?.Count ?? 0) == 0)
            errors.Add(FieldError.InvalidLiteral(path, SelectorLiteral(selector), $"empty selector is invalid for {kindWord}"));
    }

    /// <summary>
    /// ValidatePodTemplateSpecForReplicaSet and its batch sibling: the template exists, its labels match the
    /// selector, its metadata and pod spec are valid and its restart policy is one of <paramref name="restartPolicies"/>.
    /// </summary>
    public static void ValidateTemplate(
        V1PodTemplateSpec? template, V1LabelSelector? selector, string path, IReadOnlyList<string> restartPolicies, List<FieldError> errors)
    {
        if (template is null)
        {
            errors.Add(FieldError.Required(path));
            return;
        }
        var labels = template.Metadata?.Labels;
        var parsed = LabelSelector.FromLabelSelector(selector);
        if (selector is not null && !parsed.IsEverything && !parsed.Matches(labels ?? new Dictionary<string, string>()))
            errors.Add(FieldError.InvalidLiteral(path + ".metadata.labels", GoText.StringMap(labels), "`selector` does not match template `labels`"));
        MetadataValidator.ValidateLabels(labels, path + ".metadata.labels", errors);
        MetadataValidator.ValidateAnnotations(template.Metadata?.Annotations, path + ".metadata.annotations", errors);
        PodSpecValidator.Validate(template.Spec, path + ".spec", errors);
        var restartPolicy = template.Spec?.RestartPolicy ?? "";
        if (!restartPolicies.Contains(restartPolicy))
            errors.Add(FieldError.NotSupported(path + ".spec.restartPolicy", restartPolicy, restartPolicies));
    }

    /// <summary>Upstream's ValidateNonnegativeField.</summary>
    public static void NonNegative(long? value, string path, List<FieldError> errors)
    {
        if (value is < 0) errors.Add(FieldError.Invalid(path, value.Value, "must be greater than or equal to 0"));
    }

    /// <summary>apps/v1 and batch/v1 selectors cannot change after create.</summary>
    public static void ImmutableSelector(V1LabelSelector? selector, V1LabelSelector? old, string path, List<FieldError> errors)
    {
        if (SelectorLiteral(selector) != SelectorLiteral(old))
            errors.Add(FieldError.InvalidLiteral(path, SelectorLiteral(selector), "field is immutable"));
    }

    /// <summary>Go's %#v of a *v1.LabelSelector, as upstream's messages show it.</summary>
    public static string SelectorLiteral(V1LabelSelector? selector)
    {
        if (selector is null) return "(*v1.LabelSelector)(nil)";
        var expressions = selector.MatchExpressions is null
            ? "[]v1.LabelSelectorRequirement(nil)"
            : "[]v1.LabelSelectorRequirement{" + string.Join(", ", selector.MatchExpressions.Select(r =>
                $"v1.LabelSelectorRequirement{{Key:{GoText.Quote(r.Key ?? "")}, Operator:{GoText.Quote(r.OperatorProperty ?? "")}, Values:{GoText.StringSlice(r.Values)}}}")) + "}";
        return $"&v1.LabelSelector{{MatchLabels:{GoText.StringMap(selector.MatchLabels)}, MatchExpressions:{expressions}}}";
    }
}
