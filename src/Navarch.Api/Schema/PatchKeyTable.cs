namespace Navarch.Api.Schema;

/// <summary>
/// Upstream's patch tags of one property: <c>patchStrategy</c> and <c>patchMergeKey</c> (strategic merge),
/// <c>+listType</c> and <c>+listMapKey</c> (server-side apply).
/// </summary>
public sealed record PatchKey(string? Strategy, string? MergeKey, string? ListType = null, string[]? MapKeys = null)
{
    /// <summary>A list merged by <c>name</c> (containers, env, volumes).</summary>
    public static PatchKey MergeByName { get; } = new("merge", "name", "map", ["name"]);

    /// <summary>A list merged by <c>type</c> (conditions).</summary>
    public static PatchKey MergeByType { get; } = new("merge", "type", "map", ["type"]);

    /// <summary>A map marked <c>+mapType=atomic</c> (selectors): replaced and owned whole.</summary>
    public static PatchKey AtomicMap { get; } = new(null, null, "atomic");
}

/// <summary>The patch tags of model properties, keyed by (model type, JSON property name); kinds add their own.</summary>
public sealed class PatchKeyTable
{
    internal Dictionary<(Type, string), PatchKey> Entries { get; } = new();

    /// <summary>Tags <paramref name="jsonProperty"/> of <paramref name="modelType"/>.</summary>
    public PatchKeyTable Add(Type modelType, string jsonProperty, PatchKey key)
    {
        Entries[(modelType, jsonProperty)] = key;
        return this;
    }
}
