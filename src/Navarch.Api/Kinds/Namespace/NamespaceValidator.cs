using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Namespace;

/// <summary>Namespaces: a DNS-1123 label name, cluster scope, valid spec.finalizers.</summary>
public static class NamespaceValidator
{
    public static void Validate(V1Namespace ns, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(ns.Metadata, namespaced: false, NameRules.DnsLabel, "metadata", errors);
        MetadataValidator.ValidateFinalizers(ns.Spec?.Finalizers, "spec.finalizers", errors);
    }
}
