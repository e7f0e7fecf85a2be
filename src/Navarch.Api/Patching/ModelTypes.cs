using System.Text.Json.Nodes;
using Navarch.Api.Resources;

namespace Navarch.Api.Patching;

/// <summary>Finds the KubernetesClient model of a JSON object from its apiVersion and kind, through <see cref="ResourceCatalog"/>.</summary>
internal static class ModelTypes
{
    public static Type? Find(JsonObject? obj) =>
        Text(obj?["apiVersion"]) is { } apiVersion && Text(obj?["kind"]) is { } kind
            ? ResourceCatalog.FindByKind(apiVersion, kind)?.ClrType
            : null;

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
