using k8s;
using k8s.Models;

namespace Navarch.Controllers.ReplicationManager;

/// <summary>Pods as a ReplicationController makes them (upstream's GetPodFromTemplate).</summary>
public static class PodTemplate
{
    /// <summary>The ownerReference that marks <paramref name="rc"/> as a pod's controller.</summary>
    public static V1OwnerReference ControllerRef(V1ReplicationController rc) => new()
    {
        ApiVersion = "v1",
        Kind = "ReplicationController",
        Name = rc.Metadata.Name,
        Uid = rc.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>
    /// A new pod from the template: generateName <c>&lt;rc&gt;-</c>, the template's labels, annotations,
    /// finalizers and spec, and the controller reference.
    /// </summary>
    public static V1Pod NewPod(V1ReplicationController rc)
    {
        var template = rc.Spec?.Template ?? throw new InvalidOperationException($"replication controller {rc.Metadata.Name} has no template");
        // A deep copy: the template belongs to an informer's cached object.
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(template.Spec));
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                GenerateName = rc.Metadata.Name + "-",
                NamespaceProperty = rc.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels is { } l ? new Dictionary<string, string>(l) : null,
                Annotations = template.Metadata?.Annotations is { } a ? new Dictionary<string, string>(a) : null,
                Finalizers = template.Metadata?.Finalizers?.ToList(),
                OwnerReferences = [ControllerRef(rc)],
            },
            Spec = spec,
        };
    }
}
