using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Allocation;

namespace Navarch.ApiServer.Registry.Strategies;

/// <summary>Services: cluster IPs and node ports come and go with the object.</summary>
public sealed class ServiceStrategy(ServiceAllocator allocator) : ResourceStrategy(ResourceCatalog.Services)
{
    public override async Task<Func<CancellationToken, Task>?> BeforeCreateAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken ct) =>
        await allocator.AllocateAsync((V1Service)obj, null, ct);

    public override async Task<Func<CancellationToken, Task>?> BeforeUpdateAsync(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, CancellationToken ct) =>
        await allocator.AllocateAsync((V1Service)obj, (V1Service)old, ct);

    public override Task AfterUpdateAsync(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, CancellationToken ct) =>
        allocator.ReleaseAsync((V1Service)old, (V1Service)obj, ct);

    public override Task AfterDeleteAsync(IKubernetesObject<V1ObjectMeta> old, CancellationToken ct) =>
        allocator.ReleaseAsync((V1Service)old, null, ct);
}
