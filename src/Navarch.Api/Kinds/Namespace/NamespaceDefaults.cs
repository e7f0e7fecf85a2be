using k8s.Models;
using Navarch.Api.Defaulting;

namespace Navarch.Api.Kinds.Namespace;

/// <summary>Namespaces: the name label, the "kubernetes" finalizer and phase Active.</summary>
public static class NamespaceDefaults
{
    public const string NameLabel = "kubernetes.io/metadata.name";
    public const string KubernetesFinalizer = "kubernetes";

    public static void Apply(V1Namespace ns)
    {
        ns.Metadata ??= new V1ObjectMeta();
        if (!string.IsNullOrEmpty(ns.Metadata.Name))
        {
            ns.Metadata.Labels ??= new Dictionary<string, string>();
            ns.Metadata.Labels[NameLabel] = ns.Metadata.Name;
        }
        // Only a live namespace gets the finalizer: finalizing a terminating one removes it on purpose.
        if (ns.Metadata.DeletionTimestamp is null && (ns.Spec?.Finalizers is null || ns.Spec.Finalizers.Count == 0))
        {
            ns.Spec ??= new V1NamespaceSpec();
            ns.Spec.Finalizers = [KubernetesFinalizer];
        }
        ns.Status ??= new V1NamespaceStatus();
        if (string.IsNullOrEmpty(ns.Status.Phase))
        {
            ns.Status.Phase = "Active";
        }
    }
}
