using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Node;

/// <summary>Nodes: name, pod CIDRs and taints; podCIDR and providerID may only go from "" to a value.</summary>
public static class NodeValidator
{
    private static readonly string[] TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    public static void Validate(V1Node node, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(node.Metadata, namespaced: false, NameRules.DnsSubdomain, "metadata", errors);
        var spec = node.Spec ?? new V1NodeSpec();
        var cidrs = spec.PodCIDRs ?? [];
        for (var i = 0; i < cidrs.Count; i++)
        {
            foreach (var msg in ValueFormats.IsValidCidr(cidrs[i]))
            {
                errors.Add(FieldError.Invalid($"spec.podCIDRs[{i}]", cidrs[i], msg));
            }
        }
        if (cidrs.Count == 0 && !string.IsNullOrEmpty(spec.PodCIDR))
        {
            foreach (var msg in ValueFormats.IsValidCidr(spec.PodCIDR))
            {
                errors.Add(FieldError.Invalid("spec.podCIDR", spec.PodCIDR, msg));
            }
        }
        var taints = spec.Taints ?? [];
        var seen = new HashSet<(string?, string?)>();
        for (var i = 0; i < taints.Count; i++)
        {
            var at = $"spec.taints[{i}]";
            MetadataValidator.ValidateQualifiedName(taints[i].Key ?? "", at + ".key", errors);
            if (!string.IsNullOrEmpty(taints[i].Value))
            {
                foreach (var msg in ValueFormats.IsLabelValue(taints[i].Value))
                {
                    errors.Add(FieldError.Invalid(at + ".value", taints[i].Value, msg));
                }
            }
            PodSpecValidator.Enumerated(taints[i].Effect, TaintEffects, at + ".effect", errors);
            if (!seen.Add((taints[i].Key, taints[i].Effect)))
            {
                errors.Add(FieldError.Duplicate(at, $"{taints[i].Key}:{taints[i].Effect}") with { Detail = "taints must be unique by key and effect pair" });
            }
        }
    }

    public static void ValidateUpdate(V1Node node, V1Node old, List<FieldError> errors)
    {
        var oldCidr = old.Spec?.PodCIDR ?? old.Spec?.PodCIDRs?.FirstOrDefault() ?? "";
        var newCidr = node.Spec?.PodCIDR ?? node.Spec?.PodCIDRs?.FirstOrDefault() ?? "";
        if (oldCidr.Length > 0 && oldCidr != newCidr)
        {
            errors.Add(FieldError.Forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
        }
        var oldProvider = old.Spec?.ProviderID ?? "";
        if (oldProvider.Length > 0 && oldProvider != (node.Spec?.ProviderID ?? ""))
        {
            errors.Add(FieldError.Forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
        }
    }
}
