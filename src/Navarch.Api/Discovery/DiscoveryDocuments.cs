using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Navarch.Api.Resources;

namespace Navarch.Api.Discovery;

/// <summary>
/// The legacy (non-aggregated) discovery documents kubectl reads before any resource command:
/// <c>/api</c>, <c>/api/v1</c>, <c>/apis</c>, <c>/apis/&lt;g&gt;</c> and <c>/apis/&lt;g&gt;/&lt;v&gt;</c>.
/// Every call builds a fresh tree from <see cref="ResourceCatalog.All"/>, so callers may mutate it.
/// </summary>
public static class DiscoveryDocuments
{
    /// <summary>GET /api: <c>APIVersions</c> naming v1 and one CIDR mapping to <paramref name="serverAddress"/> ("host:port").</summary>
    public static JsonObject ApiVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject
        {
            ["clientCIDR"] = "0.0.0.0/0",
            ["serverAddress"] = serverAddress,
        }),
    };

    /// <summary>GET /api/v1: the core resources and their subresources. Like upstream it carries no apiVersion.</summary>
    public static JsonObject CoreResources() => new()
    {
        ["kind"] = "APIResourceList",
        ["groupVersion"] = "v1",
        ["resources"] = ResourceEntries("", "v1"),
    };

    /// <summary>GET /apis: an <c>APIGroupList</c> of every non-core group the catalog serves.</summary>
    public static JsonObject GroupList() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray([.. GroupNames().Select(GroupBody)]),
    };

    /// <summary>GET /apis/<paramref name="group"/>: an <c>APIGroup</c>, or null when the group is not served.</summary>
    public static JsonObject? Group(string group)
    {
        if (!GroupNames().Contains(group)) return null;
        var body = new JsonObject { ["kind"] = "APIGroup", ["apiVersion"] = "v1" };
        foreach (var (key, value) in GroupBody(group)) body[key] = value?.DeepClone();
        return body;
    }

    /// <summary>
    /// GET /apis/<paramref name="group"/>/<paramref name="version"/>: an <c>APIResourceList</c>,
    /// or null when that group/version is not served (the core group is served by <see cref="CoreResources"/>).
    /// </summary>
    public static JsonObject? GroupResources(string group, string version)
    {
        if (group.Length == 0 || !ResourceCatalog.Groups.Contains((group, version))) return null;
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = $"{group}/{version}",
            ["resources"] = ResourceEntries(group, version),
        };
    }

    /// <summary>Upstream's storageVersionHash: base64 of the first 8 bytes of SHA-256 over "group/version/kind".</summary>
    public static string StorageVersionHash(string group, string version, string kind) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{group}/{version}/{kind}"))[..8]);

    private static IEnumerable<string> GroupNames() => ResourceCatalog.Groups.Select(g => g.Group).Distinct();

    private static JsonObject GroupBody(string group)
    {
        var versions = ResourceCatalog.Groups.Where(g => g.Group == group).Select(g => GroupVersion(group, g.Version)).ToList();
        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions]),
            // The catalog lists each group's preferred (storage) version first.
            ["preferredVersion"] = versions[0].DeepClone(),
        };
    }

    private static JsonObject GroupVersion(string group, string version) => new()
    {
        ["groupVersion"] = $"{group}/{version}",
        ["version"] = version,
    };

    private static JsonArray ResourceEntries(string group, string version)
    {
        var entries = new JsonArray();
        foreach (var type in ResourceCatalog.All.Where(r => r.Group == group && r.Version == version))
        {
            entries.Add(ResourceEntry(type));
            foreach (var sub in Subresource.Of(type)) entries.Add(SubresourceEntry(type, sub));
        }
        return entries;
    }

    private static JsonObject ResourceEntry(ResourceType type)
    {
        var entry = new JsonObject
        {
            ["name"] = type.Plural,
            ["singularName"] = type.Singular,
            ["namespaced"] = type.Namespaced,
            ["kind"] = type.Kind,
            ["verbs"] = Strings(ResourceType.Verbs),
        };
        if (type.ShortNames.Count > 0) entry["shortNames"] = Strings(type.ShortNames);
        if (type.Categories.Count > 0) entry["categories"] = Strings(type.Categories);
        entry["storageVersionHash"] = StorageVersionHash(type.Group, type.Version, type.Kind);
        return entry;
    }

    private static JsonObject SubresourceEntry(ResourceType owner, Subresource sub)
    {
        var entry = new JsonObject
        {
            ["name"] = $"{owner.Plural}/{sub.Name}",
            ["singularName"] = "",
            ["namespaced"] = owner.Namespaced,
        };
        // Upstream names group and version only when the subresource speaks another group's kind.
        if (sub.Kind.Group != owner.Group || sub.Kind.Version != owner.Version)
        {
            entry["group"] = sub.Kind.Group;
            entry["version"] = sub.Kind.Version;
        }
        entry["kind"] = sub.Kind.Kind;
        entry["verbs"] = Strings(sub.Verbs);
        return entry;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
