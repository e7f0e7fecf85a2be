using System.Text.Json.Nodes;
using YamlDotNet.Core;

namespace Navarch.Api.Patching;

/// <summary>Decodes an <c>application/apply-patch+yaml</c> body, which kubectl sends as JSON and users as YAML.</summary>
public static class ApplyBody
{
    /// <summary>
    /// Parses the body into a JSON object (YAML through <see cref="YamlToJson"/>: core-schema scalars, bounded depth
    /// and aliasing). Throws <see cref="PatchException"/> (BadRequest) for bodies that are not one object or exceed
    /// a bound of <see cref="InputLimits"/>.
    /// </summary>
    public static JsonObject Parse(string body)
    {
        try
        {
            var trimmed = body.TrimStart();
            var node = trimmed.StartsWith('{') ? JsonNode.Parse(trimmed, documentOptions: InputLimits.Json) : YamlToJson.Convert(body);
            return node as JsonObject
                ?? throw new PatchException(PatchErrorKind.BadRequest, "error decoding YAML: the apply configuration must be an object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new PatchException(PatchErrorKind.BadRequest, $"error decoding YAML: {e.Message}");
        }
        catch (YamlException e)
        {
            throw new PatchException(PatchErrorKind.BadRequest, $"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.Message}");
        }
    }
}
