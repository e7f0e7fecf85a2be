using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Allocation;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Bootstrap;

/// <summary>
/// What every cluster has from its first start: the system namespaces and the <c>kubernetes</c> Service
/// whose endpoints point at this API server (kept true at every start, as upstream's reconciler does).
/// </summary>
public sealed class DefaultObjects(ObjectRegistry registry, ServiceAllocator allocator)
{
    public static readonly string[] Namespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];
    private static readonly WriteOptions Writer = new("navarch-apiserver");

    public async Task EnsureAsync(string advertiseAddress, int port, CancellationToken ct)
    {
        foreach (var name in Namespaces)
            await CreateIfMissingAsync(ResourceCatalog.Namespaces, null, new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, ct);

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

        var endpoints = new V1Endpoints
        {
            Metadata = new V1ObjectMeta
            {
                Name = "kubernetes",
                Labels = new Dictionary<string, string> { ["endpointslice.kubernetes.io/skip-mirror"] = "true" },
            },
            Subsets = [new V1EndpointSubset
            {
                Addresses = [new V1EndpointAddress { Ip = advertiseAddress }],
                Ports = [new Corev1EndpointPort { Name = "https", Port = port, Protocol = "TCP" }],
            }],
        };
        await UpsertAsync(ResourceCatalog.Endpoints, "default", endpoints, ct);

        var slice = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = "kubernetes",
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/service-name"] = "kubernetes",
                    ["endpointslice.kubernetes.io/managed-by"] = "endpointslicemirroring-controller.k8s.io",
                },
            },
            AddressType = "IPv4",
            Endpoints = [new V1Endpoint { Addresses = [advertiseAddress], Conditions = new V1EndpointConditions { Ready = true } }],
            Ports = [new Discoveryv1EndpointPort { Name = "https", Port = port, Protocol = "TCP" }],
        };
        await UpsertAsync(ResourceCatalog.EndpointSlices, "default", slice, ct);
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
    }

    private async Task UpsertAsync(ResourceType rt, string ns, k8s.IKubernetesObject<V1ObjectMeta> wanted, CancellationToken ct)
    {
        await registry.UpdateAsync(rt, ns, wanted.Metadata.Name, current =>
        {
            var json = ObjectRegistry.ToJson(wanted);
            var next = ObjectRegistry.FromJson(rt, json);
            if (current is not null) next.Metadata.ResourceVersion = null;
            return next;
        }, Writer with { SkipValidation = true }, allowCreate: true, ct);
    }
}
