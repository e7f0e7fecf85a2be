using System.Text.Json.Nodes;
using k8s.Models;

namespace Navarch.Api.Discovery;

/// <summary>
/// Collects OpenAPI v3 schemas for KubernetesClient models by reflection: properties from
/// <c>[JsonPropertyName]</c>, <c>$ref</c> between models, and <c>x-kubernetes-group-version-kind</c>
/// on every top-level kind (what <c>kubectl explain</c> searches for). No descriptions or patch strategies:
/// the models do not carry them.
/// </summary>
internal sealed class SchemaSet(string fallbackPackage)
{
    private const string RefPrefix = "#/components/schemas/";
    private readonly SortedDictionary<string, JsonObject> _schemas = new(StringComparer.Ordinal);

    /// <summary>A <c>$ref</c> to <paramref name="model"/>'s schema, adding it (and what it refers to) when new.</summary>
    public JsonObject Ref(Type model) => new() { ["$ref"] = RefPrefix + Add(model) };

    /// <summary>Adds <paramref name="model"/> and returns its schema name.</summary>
    public string Add(Type model)
    {
        var name = SchemaNames.For(model, fallbackPackage);
        if (_schemas.ContainsKey(name)) return name;
        var schema = ScalarModel(model) ?? new JsonObject { ["type"] = "object" };
        _schemas[name] = schema; // registered before its properties so cycles end
        if (ModelGraph.IsObjectModel(model))
        {
            var properties = new JsonObject();
            foreach (var property in ModelGraph.Properties(model)) properties[property.JsonName] = Inline(property.Type);
            schema["properties"] = properties;
        }
        if (SchemaNames.KindOf(model) is { } kind) schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(kind));
        return name;
    }

    /// <summary>The <c>components.schemas</c> object, sorted by name.</summary>
    public JsonObject ToJson()
    {
        var result = new JsonObject();
        foreach (var (name, schema) in _schemas) result[name] = schema.DeepClone();
        return result;
    }

    /// <summary>The <c>x-kubernetes-group-version-kind</c> value of one kind.</summary>
    public static JsonObject Gvk(GroupVersionKind kind) => new()
    {
        ["group"] = kind.Group,
        ["kind"] = kind.Kind,
        ["version"] = kind.Version,
    };

    private JsonObject Inline(Type type)
    {
        if (type == typeof(string)) return Typed("string");
        if (type == typeof(bool)) return Typed("boolean");
        if (type == typeof(int)) return Typed("integer", "int32");
        if (type == typeof(long)) return Typed("integer", "int64");
        if (type == typeof(double) || type == typeof(float)) return Typed("number", "double");
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return Typed("string", "date-time");
        if (type == typeof(byte[])) return Typed("string", "byte");
        if (ModelGraph.ElementOf(type) is { } element) return new JsonObject { ["type"] = "array", ["items"] = Inline(Unwrap(element)) };
        if (ModelGraph.MapValueOf(type) is { } value) return new JsonObject { ["type"] = "object", ["additionalProperties"] = Inline(Unwrap(value)) };
        if (type.Namespace == typeof(V1Pod).Namespace && type.IsClass) return Ref(type);
        return Typed("object"); // FieldsV1, RawExtension: free-form JSON
    }

    /// <summary>Schemas of models serialized as scalars by custom converters.</summary>
    private static JsonObject? ScalarModel(Type model) =>
        model == typeof(ResourceQuantity) ? Typed("string")
        : model == typeof(IntOrString) ? new JsonObject { ["type"] = "string", ["format"] = "int-or-string", ["x-kubernetes-int-or-string"] = true }
        : null;

    private static Type Unwrap(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private static JsonObject Typed(string type, string? format = null)
    {
        var schema = new JsonObject { ["type"] = type };
        if (format is not null) schema["format"] = format;
        return schema;
    }
}
