using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>Creates the bootstrap roles and bindings that are missing, at every start (a person's changes to existing ones stay).</summary>
public sealed class BootstrapPolicyWriter(ObjectRegistry registry)
{
    public async Task EnsureAsync(CancellationToken ct)
    {
        var options = new WriteOptions("navarch-bootstrap");
        foreach (var role in BootstrapPolicy.ClusterRoles)
            if (await registry.TryGetAsync(ResourceCatalog.ClusterRoles, null, role.Metadata.Name, ct) is null)
                await registry.CreateAsync(ResourceCatalog.ClusterRoles, null, Copy(role), options, ct);
        foreach (var binding in BootstrapPolicy.ClusterRoleBindings)
            if (await registry.TryGetAsync(ResourceCatalog.ClusterRoleBindings, null, binding.Metadata.Name, ct) is null)
                await registry.CreateAsync(ResourceCatalog.ClusterRoleBindings, null, Copy(binding), options, ct);
    }

    /// <summary>The registry stamps metadata on what it is given; the policy's objects stay untouched.</summary>
    private static T Copy<T>(T obj) => k8s.KubernetesJson.Deserialize<T>(k8s.KubernetesJson.Serialize(obj));
}
