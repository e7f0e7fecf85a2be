using k8s;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.Api.Defaulting;

/// <summary>Fills in upstream's defaults; applying twice gives the same object as applying once.</summary>
public static class ObjectDefaulter
{
    /// <summary>Applies the defaults of the resource's kind in place (objects of other models are left alone).</summary>
    public static void Apply(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj) => rt.Definition.Default(obj);
}
