using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Navarch.Api.Patching;

/// <summary>Decodes an <c>application/apply-patch+yaml</c> body, which kubectl sends as JSON and users as YAML.</summary>
public static class ApplyBody
{
    /// <summary>
    /// Parses the body into a JSON object. Plain YAML scalars follow the YAML 1.2 core schema (null, true/false,
    /// integers, floats; anything else is a string); quoted scalars are strings. Throws <see cref="PatchException"/>
    /// (BadRequest) for bodies that are not one object.
    /// </summary>
    public static JsonObject Parse(string body)
    {
        try
        {
            var trimmed = body.TrimStart();
            var node = trimmed.StartsWith('{') ? JsonNode.Parse(trimmed) : FromYaml(body);
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

    private static JsonNode? FromYaml(string body)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(body));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p =>
            KeyValuePair.Create(((YamlScalarNode)p.Key).Value ?? "", Convert(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
            return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL")
            return null;
        if (text is "true" or "True" or "TRUE")
            return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE")
            return JsonValue.Create(false);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            return JsonValue.Create(integer);
        if (text.Any(char.IsAsciiDigit) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
