using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Allocation;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Bootstrap;

/// <summary>
/// What every cluster has from its first start: the system namespaces with their <c>default</c> ServiceAccounts and the
/// <c>kubernetes</c> Service (whose endpoints <see cref="EndpointReconciler"/> keeps).
/// </summary>
public sealed class DefaultObjects(ObjectRegistry registry, ServiceAllocator allocator)
{
    public static readonly string[] Namespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];
    private static readonly WriteOptions Writer = new("navarch-apiserver");

    public async Task EnsureAsync(string advertiseAddress, int port, CancellationToken ct)
    {
        foreach (var name in Namespaces)
            await CreateIfMissingAsync(ResourceCatalog.Namespaces, null, new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, ct);
        // Upstream's ServiceAccount controller makes these too; made here as well, a pod can be created as soon as the
        // server is ready, before the controller manager has run (the ServiceAccount admission plugin refuses pods
        // whose account is missing).
        if (ResourceCatalog.FindByKind("v1", "ServiceAccount") is { } serviceAccounts)
            foreach (var name in Namespaces)
                await CreateIfMissingAsync(serviceAccounts, name, new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, ct);

        await CreateIfMissingAsync(ResourceCatalog.Services, "default", new V1Service
        {
            Metadata = new V1ObjectMeta
            {
                Name = "kubernetes",
                Labels = new Dictionary<string, string> { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                ClusterIP = allocator.KubernetesServiceIp,
                Ports = [new V1ServicePort { Name = "https", Port = 443, Protocol = "TCP", TargetPort = port }],
                SessionAffinity = "None",
            },
        }, ct);
        // The endpoints are EndpointReconciler's: they list every live API server.
    }

    private async Task CreateIfMissingAsync(ResourceType rt, string? ns, k8s.IKubernetesObject<V1ObjectMeta> obj, CancellationToken ct)
    {
        if (await registry.TryGetAsync(rt, ns, obj.Metadata.Name, ct) is not null) return;
        try
        {
            await registry.CreateAsync(rt, ns, obj, Writer, ct);
        }
        catch (ApiException e) when (e.Reason == "AlreadyExists")
        {
        }
        catch (ApiException)
        {
            // Several API servers starting together on one etcd: another one's create of the kubernetes Service may have won
            // the race in the allocator (its cluster IP "already allocated") rather than in the store; its Service lands
            // right after. Only when none does is the failure ours.
            if (!await AppearsAsync(rt, ns, obj.Metadata.Name, ct)) throw;
        }
    }

    private async Task<bool> AppearsAsync(ResourceType rt, string? ns, string name, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await registry.TryGetAsync(rt, ns, name, ct) is not null) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
        return false;
    }
}
