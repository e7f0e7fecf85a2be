using Microsoft.AspNetCore.Http;

namespace Navarch.ApiServer.Http;

/// <summary>What a client asked to receive: plain objects or server-rendered Tables.</summary>
public static class MediaTypes
{
    public const string Json = "application/json";
    public const string JsonPatch = "application/json-patch+json";
    public const string MergePatch = "application/merge-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";
    public const string Yaml = "application/yaml";

    /// <summary>True when the Accept header asks for <c>as=Table</c> (meta.k8s.io v1 or v1beta1) before plain JSON.</summary>
    public static bool WantsTable(HttpRequest request)
    {
        foreach (var value in request.Headers.Accept)
        {
            if (value is null) continue;
            foreach (var clause in value.Split(','))
            {
                var parts = clause.Split(';', StringSplitOptions.TrimEntries);
                var isTable = parts.Any(p => p == "as=Table") && parts.Any(p => p == "g=meta.k8s.io");
                if (isTable) return true;
                // The first acceptable plain type wins over a later Table clause.
                if (parts[0] is Json or "*/*" or "application/*" && parts.Length == 1) return false;
            }
        }
        return false;
    }

    /// <summary>True for the body media types that are YAML (JSON is YAML too, so the YAML decoder reads both).</summary>
    public static bool IsYaml(string contentType) => contentType is Yaml or ApplyPatch or "application/x-yaml" or "text/yaml";

    /// <summary>The media type of the body without parameters, lower-cased.</summary>
    public static string ContentType(HttpRequest request) =>
        (request.ContentType ?? Json).Split(';')[0].Trim().ToLowerInvariant();
}
