using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>Roles and bindings: written only by someone who holds what they grant (<see cref="EscalationCheck"/>).</summary>
public sealed class RbacStrategy(ResourceType type, EscalationCheck check) : ResourceStrategy(type)
{
    public override Task<Func<CancellationToken, Task>?> BeforeCreateAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken ct)
    {
        check.Check(obj);
        return base.BeforeCreateAsync(obj, ct);
    }

    public override Task<Func<CancellationToken, Task>?> BeforeUpdateAsync(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, CancellationToken ct)
    {
        check.Check(obj);
        return base.BeforeUpdateAsync(obj, old, ct);
    }

    public static IEnumerable<ResourceType> Kinds =>
        [ResourceCatalog.ClusterRoles, ResourceCatalog.Roles, ResourceCatalog.ClusterRoleBindings, ResourceCatalog.RoleBindings];
}
