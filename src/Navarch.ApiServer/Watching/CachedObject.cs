using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.Api.Serialization;

namespace Navarch.ApiServer.Watching;

/// <summary>
/// One version of one object as the watch cache holds it. Shared by every reader, so never mutated:
/// handlers that change an object work on a copy. Its JSON is rendered once, on first use.
/// </summary>
/// <param name="json">The object's JSON when the caller already has it (the stored value with its
/// resourceVersion spliced in); rendered from <paramref name="obj"/> on first use otherwise.</param>
public sealed class CachedObject(ResourceType type, string key, IKubernetesObject<V1ObjectMeta> obj, long revision, byte[]? json = null)
{
    private byte[]? _json = json;

    public ResourceType Type { get; } = type;
    public string Key { get; } = key;
    public IKubernetesObject<V1ObjectMeta> Object { get; } = obj;
    /// <summary>The store revision of this version (its resourceVersion).</summary>
    public long Revision { get; } = revision;
    public string? Namespace => Object.Metadata.NamespaceProperty;
    public string Name => Object.Metadata.Name;

    /// <summary>The object as JSON with kind, apiVersion and resourceVersion; a benign race may render it twice.</summary>
    public byte[] Json => _json ??= WireJson.SerializeToUtf8Bytes(Object);
}

public enum CacheEventType { Added, Modified, Deleted }

/// <param name="Previous">The version before this change (null for Added); selectors use it to turn a
/// change that leaves a selector's set into a Deleted event for that watcher.</param>
public sealed record CacheEvent(CacheEventType Type, CachedObject Object, CachedObject? Previous)
{
    public long Revision => Object.Revision;
}
