using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>
/// The part of an object whose fields are tracked in managedFields. Like upstream, identity and bookkeeping
/// fields are never owned (apiVersion, kind, metadata name/namespace/uid/resourceVersion/generation/
/// creationTimestamp/selfLink/managedFields), and each endpoint resets the other half: writes to the main
/// resource do not own <c>status</c>, writes to <c>/status</c> do not own <c>spec</c>.
/// </summary>
internal static class TrackedObject
{
    private static readonly HashSet<string> UntrackedMetadata = new(StringComparer.Ordinal)
        { "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds" };

    public static JsonObject Of(JsonObject? obj, string? subresource)
    {
        var copy = obj is null ? [] : (JsonObject)obj.DeepClone();
        copy.Remove("apiVersion");
        copy.Remove("kind");
        copy.Remove(Untracked(subresource));
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var key in UntrackedMetadata)
                metadata.Remove(key);
            if (metadata.Count == 0)
                copy.Remove("metadata");
        }
        return copy;
    }

    /// <summary>
    /// The top-level fields <see cref="Of"/> would keep, without copying the object: every value is the original
    /// node except <c>metadata</c>, which is a copy of its tracked fields only (absent when none is left).
    /// </summary>
    public static Dictionary<string, JsonNode?> Fields(JsonObject? obj, string? subresource)
    {
        var fields = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (obj is null)
            return fields;
        var untracked = Untracked(subresource);
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" || key == untracked)
                continue;
            if (key == "metadata" && value is JsonObject metadata)
            {
                if (TrackedMetadata(metadata) is { } tracked)
                    fields[key] = tracked;
                continue;
            }
            fields[key] = value;
        }
        return fields;
    }

    private static string Untracked(string? subresource) => subresource == "status" ? "spec" : "status";

    private static JsonObject? TrackedMetadata(JsonObject metadata)
    {
        JsonObject? tracked = null;
        foreach (var (key, value) in metadata)
        {
            if (!UntrackedMetadata.Contains(key))
                (tracked ??= []).Add(key, value?.DeepClone());
        }
        return tracked;
    }
}
