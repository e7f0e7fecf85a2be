using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Handlers;

/// <summary>Dotted paths (<c>spec.replicas</c>) into an object's JSON, as a CRD's scale subresource names them.</summary>
internal static class JsonPaths
{
    /// <summary>The node at <paramref name="path"/>, or null when any step is missing.</summary>
    public static JsonNode? Get(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var step in path.Split('.'))
            node = node is JsonObject o ? o[step] : null;
        return node;
    }

    /// <summary>Sets <paramref name="path"/> to <paramref name="value"/>, creating the objects on the way.</summary>
    public static void Set(JsonObject obj, string path, JsonNode? value)
    {
        var steps = path.Split('.');
        var parent = obj;
        foreach (var step in steps[..^1])
        {
            if (parent[step] is not JsonObject next) parent[step] = next = new JsonObject();
            parent = next;
        }
        parent[steps[^1]] = value;
    }
}
