using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.ReplicationController;

/// <summary>ReplicationControllers: upstream's ValidateReplicationController(Spec) and template rules.</summary>
public static class ReplicationControllerValidator
{
    /// <summary>Upstream's detail when the selector does not match the template labels.</summary>
    public const string SelectorMismatch = "`selector` does not match template `labels`";

    public static void Validate(V1ReplicationController rc, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(rc.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var spec = rc.Spec ?? new V1ReplicationControllerSpec();
        if (spec.MinReadySeconds < 0)
        {
            errors.Add(FieldError.Invalid("spec.minReadySeconds", spec.MinReadySeconds.Value, "must be greater than or equal to 0"));
        }
        if (spec.Selector is null || spec.Selector.Count == 0)
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        if (spec.Replicas < 0)
        {
            errors.Add(FieldError.Invalid("spec.replicas", spec.Replicas.Value, "must be greater than or equal to 0"));
        }
        ValidateTemplate(spec.Template, spec.Selector, errors);
    }

    private static void ValidateTemplate(V1PodTemplateSpec? template, IDictionary<string, string>? selector, List<FieldError> errors)
    {
        if (template is null)
        {
            errors.Add(FieldError.Required("spec.template"));
            return;
        }
        var labels = template.Metadata?.Labels;
        if (selector is { Count: > 0 } && !selector.All(p => labels is not null && labels.TryGetValue(p.Key, out var v) && v == p.Value))
        {
            errors.Add(FieldError.InvalidLiteral("spec.template.metadata.labels", GoText.StringMap(labels), SelectorMismatch));
        }
        MetadataValidator.ValidateLabels(labels, "spec.template.metadata.labels", errors);
        MetadataValidator.ValidateAnnotations(template.Metadata?.Annotations, "spec.template.metadata.annotations", errors);
        PodSpecValidator.Validate(template.Spec, "spec.template.spec", errors);
        var restartPolicy = template.Spec?.RestartPolicy ?? "";
        if (restartPolicy != "Always")
        {
            errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", restartPolicy, ["Always"]));
        }
        if (template.Spec?.ActiveDeadlineSeconds is { } deadline)
        {
            errors.Add(FieldError.Invalid("spec.template.spec.activeDeadlineSeconds", deadline, "activeDeadlineSeconds in ReplicationController is not Supported"));
        }
    }
}
