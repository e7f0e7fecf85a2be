using Navarch.Api.Resources;

namespace Navarch.ApiServer.Storage;

/// <summary>
/// Where objects live in the store: <c>/registry/{resource}/{namespace}/{name}</c> for namespaced kinds,
/// <c>/registry/{resource}/{name}</c> for cluster-scoped ones; {resource} is the plural, with ".group" for
/// non-core groups (as etcd holds them upstream).
/// </summary>
public static class ObjectKeys
{
    public const string Root = "/registry/";

    public static string Segment(ResourceType rt) => rt.Group.Length == 0 ? rt.Plural : $"{rt.Plural}.{rt.Group}";

    /// <summary>Prefix of every object of <paramref name="rt"/>, or of one namespace's.</summary>
    public static string Prefix(ResourceType rt, string? ns = null) =>
        rt.Namespaced && !string.IsNullOrEmpty(ns) ? $"{Root}{Segment(rt)}/{ns}/" : $"{Root}{Segment(rt)}/";

    public static string For(ResourceType rt, string? ns, string name) =>
        rt.Namespaced ? $"{Root}{Segment(rt)}/{ns}/{name}" : $"{Root}{Segment(rt)}/{name}";

    private static readonly Dictionary<string, ResourceType> BySegment =
        ResourceCatalog.All.ToDictionary(Segment);

    /// <summary>The resource type a key belongs to, or null for keys that hold no API object (allocations).</summary>
    public static ResourceType? ResourceOf(string key)
    {
        if (!key.StartsWith(Root, StringComparison.Ordinal)) return null;
        var end = key.IndexOf('/', Root.Length);
        if (end < 0) return null;
        return BySegment.GetValueOrDefault(key[Root.Length..end]);
    }
}
