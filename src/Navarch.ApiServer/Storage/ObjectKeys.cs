using Navarch.Api.Resources;

namespace Navarch.ApiServer.Storage;

/// <summary>
/// Where objects live in the store: <c>/registry/{resource}/{namespace}/{name}</c> for namespaced kinds,
/// <c>/registry/{resource}/{name}</c> for cluster-scoped ones, laid out as upstream's API server does in etcd: {resource}
/// is the plural, except for the historical names of <see cref="UpstreamSegments"/>; plural.group for other groups.
/// </summary>
public static class ObjectKeys
{
    public const string Root = "/registry/";

    /// <summary>Upstream's own names (pkg/registry/*/storage: "services/specs", "minions", "controllers") and its built-in
    /// groups' bare plurals, so that <c>etcdctl get --prefix /registry --keys-only</c> reads as on a Kubernetes cluster.</summary>
    private static readonly Dictionary<string, string> UpstreamSegments = new()
    {
        ["replicationcontrollers"] = "controllers",
        ["services"] = "services/specs",
        ["endpoints"] = "services/endpoints",
        ["nodes"] = "minions",
        ["leases.coordination.k8s.io"] = "leases",
        ["endpointslices.discovery.k8s.io"] = "endpointslices",
    };

    public static string Segment(ResourceType rt)
    {
        var segment = rt.Group.Length == 0 ? rt.Plural : $"{rt.Plural}.{rt.Group}";
        return UpstreamSegments.GetValueOrDefault(segment, segment);
    }

    /// <summary>Prefix of every object of <paramref name="rt"/>, or of one namespace's.</summary>
    public static string Prefix(ResourceType rt, string? ns = null) =>
        rt.Namespaced && !string.IsNullOrEmpty(ns) ? $"{Root}{Segment(rt)}/{ns}/" : $"{Root}{Segment(rt)}/";

    public static string For(ResourceType rt, string? ns, string name) =>
        rt.Namespaced ? $"{Root}{Segment(rt)}/{ns}/{name}" : $"{Root}{Segment(rt)}/{name}";

    // Each resource's prefix, e.g. "/registry/services/specs/"; none is a prefix of another.
    private static readonly (string Prefix, ResourceType Type)[] ByPrefix =
        ResourceCatalog.All.Select(rt => (Prefix(rt), rt)).ToArray();

    /// <summary>The resource type a key belongs to, or null for keys that hold no API object (allocations, leases of API servers).</summary>
    public static ResourceType? ResourceOf(string key)
    {
        foreach (var (prefix, rt) in ByPrefix)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)) return rt;
        }
        return null;
    }
}
