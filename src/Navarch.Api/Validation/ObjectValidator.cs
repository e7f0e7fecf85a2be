using k8s;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.Api.Validation;

/// <summary>Validates objects of every served resource as upstream does, after defaulting.</summary>
public static class ObjectValidator
{
    /// <summary>All problems of an object about to be created (empty when valid). Run after defaulting.</summary>
    public static IReadOnlyList<FieldError> ValidateCreate(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj)
    {
        var errors = new List<FieldError>();
        switch (obj)
        {
            case V1Pod pod: PodValidator.ValidateCreate(pod, errors); break;
            case V1ReplicationController rc: ReplicationControllerValidator.Validate(rc, errors); break;
            case V1Service svc: ServiceValidator.Validate(svc, errors); break;
            case V1Node node: NodeValidator.Validate(node, errors); break;
            case V1Namespace ns: NamespaceValidator.Validate(ns, errors); break;
            case V1Endpoints ep: EndpointsValidator.Validate(ep, errors); break;
            case Corev1Event ev: EventValidator.Validate(ev, errors); break;
            case V1Lease lease: LeaseValidator.Validate(lease, errors); break;
            case V1EndpointSlice slice: EndpointSliceValidator.Validate(slice, errors); break;
            case V1Role role: RbacValidator.Validate(role, errors); break;
            case V1ClusterRole role: RbacValidator.Validate(role, errors); break;
            case V1RoleBinding binding: RbacValidator.Validate(binding, errors); break;
            case V1ClusterRoleBinding binding: RbacValidator.Validate(binding, errors); break;
            default:
                MetadataValidator.ValidateObjectMeta(obj.Metadata, rt.Namespaced, NameRules.DnsSubdomain, "metadata", errors);
                break;
        }
        return errors;
    }

    /// <summary>
    /// All problems of an update: the new object's own validity, unchanged identity (name, namespace, uid) and
    /// each kind's immutable fields. The caller copies server-owned values (e.g. an omitted clusterIP) first.
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateUpdate(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old)
    {
        var errors = new List<FieldError>();
        MetadataValidator.ValidateObjectMetaUpdate(obj.Metadata, old.Metadata, "metadata", errors);
        errors.AddRange(ValidateCreate(rt, obj));
        switch (obj, old)
        {
            case (V1Pod pod, V1Pod oldPod): PodValidator.ValidateUpdate(pod, oldPod, errors); break;
            case (V1Service svc, V1Service oldSvc): ServiceValidator.ValidateUpdate(svc, oldSvc, errors); break;
            case (V1Node node, V1Node oldNode): NodeValidator.ValidateUpdate(node, oldNode, errors); break;
            case (V1EndpointSlice slice, V1EndpointSlice oldSlice): EndpointSliceValidator.ValidateUpdate(slice, oldSlice, errors); break;
            case (V1RoleBinding binding, V1RoleBinding oldBinding): RbacValidator.ValidateUpdate(binding.RoleRef, oldBinding.RoleRef, errors); break;
            case (V1ClusterRoleBinding binding, V1ClusterRoleBinding oldBinding): RbacValidator.ValidateUpdate(binding.RoleRef, oldBinding.RoleRef, errors); break;
        }
        return errors;
    }

    /// <summary>
    /// Upstream's Status message for 422 Invalid: <c>Kind "name" is invalid: a</c>, or <c>[a, b]</c> for several
    /// (duplicates dropped). <paramref name="kind"/> is the qualified kind (<c>Lease.coordination.k8s.io</c>).
    /// </summary>
    public static string InvalidMessage(string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var messages = errors.Select(e => e.Message).Distinct().ToList();
        var head = $"{kind} {GoText.Quote(name)} is invalid";
        return messages.Count switch
        {
            0 => head,
            1 => $"{head}: {messages[0]}",
            _ => $"{head}: [{string.Join(", ", messages)}]",
        };
    }

    /// <summary><see cref="InvalidMessage(string,string,IReadOnlyList{FieldError})"/> with the resource's qualified kind.</summary>
    public static string InvalidMessage(ResourceType rt, string name, IReadOnlyList<FieldError> errors) =>
        InvalidMessage(QualifiedKind(rt), name, errors);

    /// <summary><c>Kind</c> for the core group, else <c>Kind.group</c> (upstream's GroupKind.String()).</summary>
    public static string QualifiedKind(ResourceType rt) => rt.Group.Length == 0 ? rt.Kind : $"{rt.Kind}.{rt.Group}";
}
