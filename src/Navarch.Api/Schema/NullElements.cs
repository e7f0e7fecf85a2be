using System.Text.Json.Nodes;
using k8s.Models;

namespace Navarch.Api.Schema;

/// <summary>
/// Go's decoder leaves no null inside a list or a map: a JSON null item of <c>[]string</c> becomes "", of
/// <c>[]Container</c> an empty Container, a null value of <c>map[string]string</c> "". KubernetesClient keeps them
/// null, and every later reader (validation, defaulting, printing, the controllers that read the object back) would
/// meet a null where upstream's code never has one. So before decoding, they become the zero value of their type.
/// The same walk checks quantities (<see cref="QuantityText"/>), the other values the library cannot take as Go does.
/// </summary>
public static class NullElements
{
    /// <summary>Replaces, in place, every null list item and map value under <paramref name="root"/> typed <paramref name="modelType"/>.</summary>
    public static void Replace(JsonNode root, Type modelType)
    {
        // An explicit stack: the depth is bounded where bodies are parsed, but a walk need not rely on that.
        var pending = new Stack<(JsonNode Node, Type Type)>();
        pending.Push((root, modelType));
        while (pending.TryPop(out var item))
        {
            switch (ModelShape.KindOf(item.Type))
            {
                case ShapeKind.Struct when item.Node is JsonObject obj:
                    // Null properties of a struct are absent fields, fine as they are: only containers go deeper.
                    var properties = ModelShape.PropertiesOf(item.Type);
                    List<(string, JsonValue)>? quantities = null;
                    foreach (var (key, value) in obj)
                    {
                        if (!properties.TryGetValue(key, out var child)) continue;
                        if (value is JsonObject or JsonArray) pending.Push((value, Nullable.GetUnderlyingType(child) ?? child));
                        else if (child == typeof(ResourceQuantity) && value is JsonValue quantity) (quantities ??= []).Add((key, quantity));
                    }
                    foreach (var (key, quantity) in quantities ?? [])
                        obj[key] = QuantityText.Checked(quantity);
                    break;
                case ShapeKind.Map when item.Node is JsonObject map:
                    var valueType = ModelShape.ChildType(item.Type, "");
                    List<string>? nullKeys = null;
                    List<(string, JsonValue)>? quantityValues = null;
                    foreach (var (key, value) in map)
                    {
                        if (value is null) (nullKeys ??= []).Add(key);
                        else if (valueType is not null && value is JsonObject or JsonArray) pending.Push((value, valueType));
                        else if (valueType == typeof(ResourceQuantity) && value is JsonValue quantity) (quantityValues ??= []).Add((key, quantity));
                    }
                    foreach (var key in nullKeys ?? [])
                        map[key] = Zero(valueType);
                    foreach (var (key, quantity) in quantityValues ?? [])
                        map[key] = QuantityText.Checked(quantity);
                    break;
                case ShapeKind.List when item.Node is JsonArray list:
                    var itemType = ModelShape.ItemType(item.Type);
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (list[i] is null) list[i] = Zero(itemType);
                        else if (itemType is not null && list[i] is JsonObject or JsonArray) pending.Push((list[i]!, itemType));
                    }
                    break;
            }
        }
    }

    /// <summary>Go's zero value of <paramref name="type"/> as JSON; null where the model's null means the same (times, free-form).</summary>
    private static JsonNode? Zero(Type? type) => ModelShape.KindOf(type) switch
    {
        ShapeKind.Struct or ShapeKind.Map => new JsonObject(),
        ShapeKind.List => new JsonArray(),
        ShapeKind.Scalar when type == typeof(string) => JsonValue.Create(""),
        ShapeKind.Scalar when type == typeof(bool) => JsonValue.Create(false),
        ShapeKind.Scalar when type == typeof(ResourceQuantity) => JsonValue.Create("0"),
        ShapeKind.Scalar when type == typeof(IntOrString) || type!.IsPrimitive => JsonValue.Create(0),
        _ => null,
    };
}
