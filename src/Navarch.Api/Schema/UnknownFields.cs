using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.Api.Schema;

/// <summary>
/// Strict field validation (<c>fieldValidation=Strict|Warn</c>): KubernetesClient drops unknown JSON fields
/// silently and matches names case-sensitively, so the raw request body is checked against the model here.
/// </summary>
public static class UnknownFields
{
    /// <summary>
    /// Every property of <paramref name="raw"/> that <paramref name="modelType"/> does not declare, as upstream's
    /// strict-decoding messages in document order: <c>unknown field "spec.foo"</c>,
    /// <c>unknown field "spec.containers[0].foo"</c>. Map values (labels, annotations, resources.limits, ...) are
    /// free-form and not inspected unless they are model types themselves; free-form types (object) are not inspected.
    /// </summary>
    public static IReadOnlyList<string> Find(JsonNode raw, Type modelType)
    {
        var errors = new List<string>();
        Walk(raw, modelType, "", errors);
        return errors;
    }

    /// <summary>
    /// <see cref="Find(JsonNode, Type)"/> plus duplicate properties (<c>duplicate field "metadata.name"</c>),
    /// which a parsed <see cref="JsonNode"/> can no longer show. Throws <see cref="JsonException"/> for invalid JSON.
    /// </summary>
    public static IReadOnlyList<string> Find(string rawJson, Type modelType)
    {
        var duplicates = FindDuplicates(Encoding.UTF8.GetBytes(rawJson));
        using var document = JsonDocument.Parse(rawJson);
        var node = LastWins(document.RootElement);
        return node is null ? duplicates : [.. duplicates, .. Find(node, modelType)];
    }

    // JsonObject refuses duplicate names; rebuild the tree keeping the last value, as Go's decoder does.
    private static JsonNode? LastWins(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (var property in element.EnumerateObject())
                    obj[property.Name] = LastWins(property.Value);
                return obj;
            case JsonValueKind.Array:
                return new JsonArray(element.EnumerateArray().Select(LastWins).ToArray());
            default:
                return JsonValue.Create(element);
        }
    }

    /// <summary>
    /// The Status message for <c>fieldValidation=Strict</c>:
    /// <c>strict decoding error: unknown field "spec.foo", unknown field "spec.bar"</c>. With <paramref name="kind"/>
    /// it carries upstream's create/update prefix: <c>Pod in version "v1" cannot be handled as a Pod: strict decoding error: ...</c>.
    /// </summary>
    public static string StrictError(IReadOnlyList<string> errors, string? kind = null, string version = "v1")
    {
        var message = "strict decoding error: " + string.Join(", ", errors);
        return kind is null ? message : $"{kind} in version \"{version}\" cannot be handled as a {kind}: {message}";
    }

    /// <summary>
    /// The texts for <c>fieldValidation=Warn</c>: one Warning header each (<c>299 - "unknown field \"spec.foo\""</c>
    /// once quoted by the server); kubectl prints them as <c>Warning: unknown field "spec.foo"</c>.
    /// </summary>
    public static IReadOnlyList<string> Warnings(IReadOnlyList<string> errors) => errors;

    private static void Walk(JsonNode? node, Type? type, string path, List<string> errors)
    {
        switch (ModelShape.KindOf(type))
        {
            case ShapeKind.Struct when node is JsonObject obj:
                var properties = ModelShape.PropertiesOf(type!);
                foreach (var (key, value) in obj)
                {
                    var childPath = path.Length == 0 ? key : path + "." + key;
                    if (properties.TryGetValue(key, out var propertyType))
                        Walk(value, propertyType, childPath, errors);
                    else
                        errors.Add($"unknown field \"{childPath}\"");
                }
                break;
            case ShapeKind.Map when node is JsonObject map:
                var valueType = ModelShape.ElementOf(type);
                if (ModelShape.KindOf(valueType) is ShapeKind.Struct or ShapeKind.List)
                {
                    foreach (var (key, value) in map)
                        Walk(value, valueType, path + "." + key, errors);
                }
                break;
            case ShapeKind.List when node is JsonArray list:
                var itemType = ModelShape.ElementOf(type);
                for (var i = 0; i < list.Count; i++)
                    Walk(list[i], itemType, $"{path}[{i}]", errors);
                break;
        }
    }

    private static List<string> FindDuplicates(byte[] utf8)
    {
        var errors = new List<string>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { AllowTrailingCommas = false });
        // One frame per open container: its path, and for objects the names seen so far.
        var frames = new Stack<(string Path, HashSet<string>? Seen, int Index)>();
        string? pendingName = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var name = reader.GetString()!;
                    var frame = frames.Peek();
                    if (!frame.Seen!.Add(name))
                        errors.Add($"duplicate field \"{Join(frame.Path, name)}\"");
                    pendingName = name;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    var childPath = ChildPath(frames, pendingName);
                    frames.Push((childPath, reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, 0));
                    pendingName = null;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.Pop();
                    AdvanceIndex(frames);
                    break;
                default:
                    if (pendingName is null)
                        AdvanceIndex(frames);
                    pendingName = null;
                    break;
            }
        }
        return errors;
    }

    private static string ChildPath(Stack<(string Path, HashSet<string>? Seen, int Index)> frames, string? name)
    {
        if (frames.Count == 0)
            return "";
        var parent = frames.Peek();
        return parent.Seen is null ? $"{parent.Path}[{parent.Index}]" : Join(parent.Path, name!);
    }

    private static void AdvanceIndex(Stack<(string Path, HashSet<string>? Seen, int Index)> frames)
    {
        if (frames.Count > 0 && frames.Peek().Seen is null)
        {
            var top = frames.Pop();
            frames.Push(top with { Index = top.Index + 1 });
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
