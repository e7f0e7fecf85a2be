using k8s;
using k8s.Models;

namespace Navarch.Controllers.PodControl;

/// <summary>Pods as controllers make them from a template (upstream's GetPodFromTemplate).</summary>
public static class PodTemplate
{
    /// <summary>
    /// A new pod from <paramref name="template"/>: generateName <paramref name="generateName"/>, the template's labels,
    /// annotations, finalizers and spec (copied: the template belongs to a cached object), and the controller reference.
    /// </summary>
    public static V1Pod NewPod(V1PodTemplateSpec? template, V1ObjectMeta owner, V1OwnerReference controllerRef, string? generateName = null)
    {
        if (template is null) throw new InvalidOperationException($"{controllerRef.Kind.ToLowerInvariant()} {owner.Name} has no template");
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(template.Spec));
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = generateName ?? owner.Name + "-",
                NamespaceProperty = owner.NamespaceProperty,
                Labels = template.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : null,
                Annotations = template.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a) : null,
                Finalizers = template.Metadata?.Finalizers?.ToList(),
                OwnerReferences = [controllerRef],
            },
            Spec = spec,
        };
    }
}
