using k8s;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.Api.Defaulting;

/// <summary>Fills in upstream's defaults; applying twice gives the same object as applying once.</summary>
public static class ObjectDefaulter
{
    /// <summary>Applies the defaults of the object's kind in place (objects of other kinds are left alone).</summary>
    public static void Apply(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj)
    {
        switch (obj)
        {
            case V1Pod pod: PodDefaults.ApplyPod(pod); break;
            case V1ReplicationController rc: ReplicationControllerDefaults.Apply(rc); break;
            case V1Service svc: ServiceDefaults.Apply(svc); break;
            case V1Namespace ns: NamespaceDefaults.Apply(ns); break;
            case V1Endpoints ep: EndpointDefaults.Apply(ep); break;
            case V1EndpointSlice slice: EndpointDefaults.Apply(slice); break;
            case V1Node node: ApplyNode(node); break;
        }
    }

    // SetDefaults_NodeStatus: allocatable defaults to capacity.
    private static void ApplyNode(V1Node node)
    {
        if (node.Status?.Capacity is { } capacity && node.Status.Allocatable is null)
        {
            node.Status.Allocatable = capacity.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value.ToString()));
        }
    }
}
