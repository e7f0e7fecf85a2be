using Navarch.Api.Resources;

namespace Navarch.ApiServer.Http;

/// <summary>What a resource URL names: <c>/api/v1/namespaces/{ns}/{plural}/{name}/{subresource}</c> and its variants.</summary>
public sealed record RequestInfo(ResourceType Resource, string? Namespace, string? Name, string? Subresource, bool LegacyWatch)
{
    /// <summary>Parses the path after <c>/api</c> or <c>/apis</c>; null when it names no served resource.</summary>
    public static RequestInfo? Parse(string path)
    {
        var parts = path.Trim('/').Split('/');
        int i;
        string group, version;
        if (parts.Length >= 2 && parts[0] == "api") { group = ""; version = parts[1]; i = 2; }
        else if (parts.Length >= 3 && parts[0] == "apis") { group = parts[1]; version = parts[2]; i = 3; }
        else return null;

        var legacyWatch = i < parts.Length && parts[i] == "watch";
        if (legacyWatch) i++;
        var rest = parts[i..];
        if (rest.Length == 0) return null;

        string? ns = null;
        // "namespaces/{ns}/{plural}..." unless the third segment is a namespace subresource.
        if (rest[0] == "namespaces" && rest.Length >= 3 && ResourceCatalog.Find(group, version, rest[2]) is { Namespaced: true })
        {
            ns = rest[1];
            rest = rest[2..];
        }
        var rt = ResourceCatalog.Find(group, version, rest[0]);
        if (rt is null || rest.Length > 3) return null;
        var name = rest.Length >= 2 ? rest[1] : null;
        var sub = rest.Length == 3 ? rest[2] : null;
        if (sub is not null && !rt.HasSubresource(sub)) return null;
        if (name is not null && name.Length == 0) return null;
        return new RequestInfo(rt, ns, name, sub, legacyWatch);
    }
}
