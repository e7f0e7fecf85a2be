using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Navarch.Controllers.Deployment;

/// <summary>
/// The <c>pod-template-hash</c> label that names a Deployment's ReplicaSets (upstream's ComputeHash): FNV-1a
/// (32 bit) over the template and the collision count, printed in decimal and mapped onto upstream's safe
/// alphabet. Upstream hashes Go's printing of the struct; this hashes the canonical JSON, so values differ
/// from upstream's but are stable here, which is all that matters.
/// </summary>
public static class PodTemplateHash
{
    public const string Label = "pod-template-hash";
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(V1PodTemplateSpec template, int? collisionCount)
    {
        var hash = 2166136261u;
        void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes) hash = (hash ^ b) * 16777619u;
        }
        Add(Encoding.UTF8.GetBytes(Canonical(template)));
        if (collisionCount is { } c) Add(BitConverter.GetBytes((uint)c));
        var digits = hash.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Concat(digits.Select(d => Alphabet[d % Alphabet.Length]));
    }

    /// <summary>
    /// Upstream's EqualIgnoreHash: two templates are the same but for the pod-template-hash label (a
    /// ReplicaSet's template carries it, the Deployment's does not).
    /// </summary>
    public static bool EqualIgnoringHash(V1PodTemplateSpec? a, V1PodTemplateSpec? b) => Canonical(a) == Canonical(b);

    // The template's JSON with object keys sorted (maps keep insertion order otherwise) and without the hash label.
    private static string Canonical(V1PodTemplateSpec? t)
    {
        if (t is null) return "";
        var node = JsonNode.Parse(KubernetesJson.Serialize(t));
        if (node?["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove(Label);
            if (labels.Count == 0) node["metadata"]!.AsObject().Remove("labels");
        }
        if (node?["metadata"] is JsonObject { Count: 0 }) node.AsObject().Remove("metadata");
        return Sorted(node)?.ToJsonString() ?? "";
    }

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, Sorted(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}
