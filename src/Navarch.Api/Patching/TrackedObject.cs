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
    private static readonly string[] UntrackedMetadata =
        ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds"];

    public static JsonObject Of(JsonObject? obj, string? subresource)
    {
        var copy = obj is null ? [] : (JsonObject)obj.DeepClone();
        copy.Remove("apiVersion");
        copy.Remove("kind");
        copy.Remove(subresource == "status" ? "spec" : "status");
        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var key in UntrackedMetadata)
                metadata.Remove(key);
            if (metadata.Count == 0)
                copy.Remove("metadata");
        }
        return copy;
    }
}
