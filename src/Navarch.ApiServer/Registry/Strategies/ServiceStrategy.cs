using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Allocation;

namespace Navarch.ApiServer.Registry.Strategies;

/// <summary>Services: cluster IPs and node ports come and go with the object.</summary>
public sealed class ServiceStrategy(ServiceAllocator allocator) : ResourceStrategy(ResourceCatalog.Services)
{
    /// <summary>The allocator keeps parts of the old version (its cluster IPs) in the new one.</summary>
    public override bool HasWriteHooks => true;

    /// <summary>
    /// As upstream's dropTypeDependentFields: leaving NodePort/LoadBalancer drops the fields only those types
    /// may have (externalTrafficPolicy, node ports, health-check node port) when the client left them unchanged.
    /// </summary>
    public override JsonObject PrepareForUpdate(JsonObject json, JsonObject old, string? subresource)
    {
        var merged = base.PrepareForUpdate(json, old, subresource);
        if (subresource is not null || merged["spec"] is not JsonObject spec || old["spec"] is not JsonObject oldSpec) return merged;
        if (!ExternallyAccessible(oldSpec) || ExternallyAccessible(spec)) return merged;
        foreach (var field in new[] { "externalTrafficPolicy", "healthCheckNodePort" })
            if (JsonNode.DeepEquals(spec[field], oldSpec[field])) spec.Remove(field);
        if (spec["ports"] is JsonArray ports && oldSpec["ports"] is JsonArray oldPorts
            && ports.Select(p => p?["nodePort"]).SequenceEqual(oldPorts.Select(p => p?["nodePort"]), JsonNodeEquality.Instance))
            foreach (var port in ports.OfType<JsonObject>()) port.Remove("nodePort");
        return merged;
    }

    // Runs before the body is decoded, so "type" may be anything a client sent: not a string is not a type.
    private static bool ExternallyAccessible(JsonObject spec) =>
        spec["type"] is JsonValue type && type.TryGetValue<string>(out var name) && name is "NodePort" or "LoadBalancer";

    private sealed class JsonNodeEquality : IEqualityComparer<JsonNode?>
    {
        public static readonly JsonNodeEquality Instance = new();
        public bool Equals(JsonNode? x, JsonNode? y) => JsonNode.DeepEquals(x, y);
        public int GetHashCode(JsonNode? obj) => 0;
    }

    public override async Task<Func<CancellationToken, Task>?> BeforeCreateAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken ct) =>
        await allocator.AllocateAsync((V1Service)obj, null, ct);

    public override async Task<Func<CancellationToken, Task>?> BeforeUpdateAsync(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, CancellationToken ct) =>
        await allocator.AllocateAsync((V1Service)obj, (V1Service)old, ct);

    public override Task AfterUpdateAsync(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, CancellationToken ct) =>
        allocator.ReleaseAsync((V1Service)old, (V1Service)obj, ct);

    public override Task AfterDeleteAsync(IKubernetesObject<V1ObjectMeta> old, CancellationToken ct) =>
        allocator.ReleaseAsync((V1Service)old, null, ct);
}
