using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>RFC 7386 JSON merge patch (<c>application/merge-patch+json</c>), as <c>kubectl label/annotate/scale</c> send it.</summary>
public static class MergePatch
{
    /// <summary>
    /// Returns a new document: objects merge key by key, <c>null</c> deletes a key, anything else
    /// (arrays included) replaces. A patch that is not an object replaces the whole document. Inputs are not modified.
    /// </summary>
    public static JsonNode Apply(JsonNode document, JsonNode patch) =>
        Merge(document, patch) ?? JsonValue.Create((string?)null)!;

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
            return patch?.DeepClone();
        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
                result.Remove(key);
            else
                result[key] = Merge(result.TryGetPropertyValue(key, out var existing) ? existing : null, value);
        }
        return result;
    }
}
