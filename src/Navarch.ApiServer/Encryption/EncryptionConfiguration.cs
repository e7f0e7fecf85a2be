using System.Text.Json.Nodes;
using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Encryption;

/// <summary>
/// Upstream's EncryptionConfiguration (apiserver.config.k8s.io/v1), YAML or JSON: a list of resource entries, each naming
/// resources (<c>secrets</c>, <c>configmaps</c>, <c>deployments.apps</c>, or the wildcards <c>*.*</c> and <c>*.GROUP</c>)
/// and the providers that write and read them. The first entry that names a resource decides for it, as upstream.
/// Supported providers: <c>aesgcm</c>, <c>secretbox</c> and <c>identity</c>; <c>aescbc</c> and <c>kms</c> are refused.
/// </summary>
public static class EncryptionConfiguration
{
    public const string ApiVersion = "apiserver.config.k8s.io/v1";
    public const string Kind = "EncryptionConfiguration";

    /// <summary>The transformer of each resource the file names; throws <see cref="ArgumentException"/> naming the problem.</summary>
    public static IReadOnlyDictionary<ResourceType, ValueTransformer> Load(string path)
    {
        JsonNode root;
        try
        {
            root = RequestBody.ParseNode(File.ReadAllText(path), yaml: true);
        }
        catch (ApiException e)
        {
            throw new ArgumentException($"--encryption-provider-config: {path}: {e.Message}");
        }
        try
        {
            return Parse(root);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--encryption-provider-config: {path}: {e.Message}");
        }
    }

    public static IReadOnlyDictionary<ResourceType, ValueTransformer> Parse(JsonNode root)
    {
        if ((string?)root["apiVersion"] != ApiVersion || (string?)root["kind"] != Kind)
            throw new ArgumentException($"want apiVersion {ApiVersion} and kind {Kind}");
        var result = new Dictionary<ResourceType, ValueTransformer>();
        var entries = root["resources"] as JsonArray ?? throw new ArgumentException("resources: Required value");
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] as JsonObject ?? throw new ArgumentException($"resources[{i}]: want an object");
            var names = (entry["resources"] as JsonArray)?.Select(n => (string?)n ?? "").ToList() ?? [];
            if (names.Count == 0) throw new ArgumentException($"resources[{i}].resources: Required value");
            var providers = (entry["providers"] as JsonArray ?? throw new ArgumentException($"resources[{i}].providers: Required value"))
                .SelectMany((p, j) => Providers(p as JsonObject, $"resources[{i}].providers[{j}]")).ToList();
            if (providers.Count == 0) throw new ArgumentException($"resources[{i}].providers: Required value");
            var transformer = new ValueTransformer(providers);
            foreach (var name in names)
                foreach (var rt in Match(name, $"resources[{i}].resources"))
                    result.TryAdd(rt, transformer);
        }
        return result;
    }

    private static IEnumerable<ResourceType> Match(string name, string field)
    {
        if (name == "*.*") return ResourceCatalog.All;
        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            var group = name[2..];
            return ResourceCatalog.All.Where(r => r.Group == group);
        }
        var dot = name.IndexOf('.');
        var (plural, g) = dot < 0 ? (name, "") : (name[..dot], name[(dot + 1)..]);
        // Upstream accepts resources it does not serve (yet); they simply never match a key here.
        return ResourceCatalog.All.Where(r => r.Plural == plural && r.Group == g);
    }

    /// <summary>One provider entry: identity, or one provider per key in the order listed (the first key writes).</summary>
    private static IEnumerable<IEncryptionProvider> Providers(JsonObject? node, string field)
    {
        if (node is null || node.Count != 1) throw new ArgumentException($"{field}: want exactly one provider");
        var (type, config) = node.First();
        return type switch
        {
            "identity" => [new IdentityProvider()],
            "aesgcm" => Keys(config, field, type).Select((k, i) => Build(() => new AesGcmProvider(k.Name, k.Secret), $"{field}.{type}.keys[{i}]")).ToList(),
            "secretbox" => Keys(config, field, type).Select((k, i) => Build(() => new SecretboxProvider(k.Name, k.Secret), $"{field}.{type}.keys[{i}]")).ToList(),
            "aescbc" or "kms" => throw new ArgumentException($"{field}: provider \"{type}\" is not supported here (use aesgcm, secretbox or identity)"),
            _ => throw new ArgumentException($"{field}: unknown provider \"{type}\""),
        };
    }

    /// <summary>A provider for one key; a key of the wrong size is refused naming its field.</summary>
    private static IEncryptionProvider Build(Func<IEncryptionProvider> make, string field)
    {
        try
        {
            return make();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{field}.secret: {e.Message}");
        }
    }

    private static List<(string Name, byte[] Secret)> Keys(JsonNode? config, string field, string type)
    {
        var keys = config?["keys"] as JsonArray ?? throw new ArgumentException($"{field}.{type}.keys: Required value");
        if (keys.Count == 0) throw new ArgumentException($"{field}.{type}.keys: Required value");
        return keys.Select((k, i) =>
        {
            var name = (string?)k?["name"];
            if (string.IsNullOrEmpty(name) || name.Contains(':')) throw new ArgumentException($"{field}.{type}.keys[{i}].name: want a name without ':'");
            try
            {
                return (name, Convert.FromBase64String((string?)k?["secret"] ?? ""));
            }
            catch (FormatException)
            {
                throw new ArgumentException($"{field}.{type}.keys[{i}].secret: not base64");
            }
        }).ToList();
    }
}
