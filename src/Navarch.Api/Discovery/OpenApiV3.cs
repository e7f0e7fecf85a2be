using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Navarch.Api.Resources;

namespace Navarch.Api.Discovery;

/// <summary>
/// The OpenAPI v3 documents kubectl 1.29+ reads before create and apply (<c>/openapi/v3</c> and
/// <c>/openapi/v3/&lt;gv path&gt;</c>) and that <c>kubectl explain</c> renders. They never change within a
/// process, so each is built once and cached with its hash.
/// </summary>
public static class OpenApiV3
{
    /// <summary>The media type of both documents.</summary>
    public const string ContentType = "application/json";

    private sealed record Built(string Path, byte[] Utf8, string Hash);

    private static readonly Lazy<IReadOnlyDictionary<string, Built>> Documents = new(BuildAll);

    /// <summary>The group/version paths served: "api/v1", "apis/coordination.k8s.io/v1", ...</summary>
    public static IReadOnlyList<string> Paths { get; } =
        [.. ResourceCatalog.All.Select(r => GroupVersionPath(r.Group, r.Version)).Distinct()];

    /// <summary>GET /openapi/v3: each group/version path with its <c>serverRelativeURL</c> (carrying the content hash).</summary>
    public static JsonObject Root()
    {
        var paths = new JsonObject();
        foreach (var path in Paths)
        {
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={Hash(path)}" };
        }
        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>
    /// The document of one group/version (<paramref name="path"/> is "api/v1" or "apis/g/v"; a leading
    /// "/" or "/openapi/v3/" is tolerated), or null when it is not served. A fresh copy on every call.
    /// </summary>
    public static JsonObject? GroupVersion(string path) =>
        Find(path) is { } built ? JsonNode.Parse(built.Utf8)!.AsObject() : null;

    /// <summary>The same document already serialized (shared bytes: do not modify), or null when not served.</summary>
    public static ReadOnlyMemory<byte>? GroupVersionUtf8(string path) => Find(path)?.Utf8;

    /// <summary>Upstream's hash of a group/version document: upper-case hex SHA-512 of its bytes.</summary>
    /// <exception cref="ArgumentException">The path is not served.</exception>
    public static string Hash(string path) =>
        Find(path)?.Hash ?? throw new ArgumentException($"no OpenAPI v3 document for {path}", nameof(path));

    /// <summary>"api/v1" for the core group, else "apis/group/version".</summary>
    public static string GroupVersionPath(string group, string version) => ApiPaths.Prefix(group, version).TrimStart('/');

    private static Built? Find(string path)
    {
        var key = path.StartsWith("/openapi/v3/", StringComparison.Ordinal) ? path["/openapi/v3/".Length..] : path.TrimStart('/');
        return Documents.Value.GetValueOrDefault(key);
    }

    private static IReadOnlyDictionary<string, Built> BuildAll()
    {
        var built = new Dictionary<string, Built>();
        foreach (var (group, version) in ResourceCatalog.All.Select(r => (r.Group, r.Version)).Distinct())
        {
            var utf8 = JsonSerializer.SerializeToUtf8Bytes(OpenApiV3Document.Build(group, version));
            var path = GroupVersionPath(group, version);
            built[path] = new Built(path, utf8, Convert.ToHexString(SHA512.HashData(utf8)));
        }
        return built;
    }
}
