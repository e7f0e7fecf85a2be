using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>Creates the bootstrap roles and bindings that are missing, at every start (a person's changes to existing ones stay).</summary>
public sealed class BootstrapPolicyWriter(ObjectRegistry registry)
{
    public async Task EnsureAsync(CancellationToken ct)
    {
        foreach (var role in BootstrapPolicy.ClusterRoles)
            await EnsureAsync(ResourceCatalog.ClusterRoles, role, ct);
        foreach (var binding in BootstrapPolicy.ClusterRoleBindings)
            await EnsureAsync(ResourceCatalog.ClusterRoleBindings, binding, ct);
    }

    private async Task EnsureAsync<T>(ResourceType rt, T obj, CancellationToken ct) where T : k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>
    {
        if (await registry.TryGetAsync(rt, null, obj.Metadata.Name, ct) is not null) return;
        try
        {
            await registry.CreateAsync(rt, null, Copy(obj), new WriteOptions("navarch-bootstrap"), ct);
        }
        catch (ApiException e) when (e.Reason == "AlreadyExists")
        {
            // Another API server on the same store, starting at the same time, wrote it first.
        }
    }

    /// <summary>The registry stamps metadata on what it is given; the policy's objects stay untouched.</summary>
    private static T Copy<T>(T obj) => k8s.KubernetesJson.Deserialize<T>(k8s.KubernetesJson.Serialize(obj));
}
