using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Navarch.Api.Schema;

namespace Navarch.Api.Patching;

/// <summary>What changed between two objects, as field sets (upstream's typed.Comparison).</summary>
internal sealed record FieldComparison(FieldSet Added, FieldSet Modified, FieldSet Removed);

/// <summary>
/// Walks JSON against an <see cref="ApplySchema"/> the way structured-merge-diff does: the fields an object sets,
/// what changed between two objects, and removal of owned fields.
/// </summary>
internal static class FieldWalker
{
    /// <summary>
    /// Upstream's ToFieldSet: scalars and atomic values are members; keyed list items are members and their fields
    /// too; keys of free-form maps are members; a struct field is a member only when null or an empty object.
    /// </summary>
    public static FieldSet ToSet(JsonNode? value, ApplySchema schema)
    {
        var set = new FieldSet();
        ToSet(value, schema, [], set);
        return set;
    }

    public static FieldComparison Compare(JsonNode? before, JsonNode? after, ApplySchema schema)
    {
        var comparison = new FieldComparison(new FieldSet(), new FieldSet(), new FieldSet());
        Compare(before, after, schema, [], comparison);
        return comparison;
    }

    /// <summary>
    /// <see cref="Compare"/> of the tracked parts of two objects (<see cref="TrackedObject.Of"/>), without copying
    /// them: every write records managedFields, and a deep copy of both versions was most of what that cost.
    /// </summary>
    public static FieldComparison CompareTracked(JsonObject? before, JsonObject? after, string? subresource, ApplySchema schema)
    {
        var comparison = new FieldComparison(new FieldSet(), new FieldSet(), new FieldSet());
        // The root is never a member itself (an empty path), so only its fields are compared.
        if (schema.Kind is not (ApplyNodeKind.Struct or ApplyNodeKind.Map))
            return comparison;
        var left = TrackedObject.Fields(before, subresource);
        var right = TrackedObject.Fields(after, subresource);
        var path = new List<string>();
        foreach (var (key, value) in left)
        {
            right.TryGetValue(key, out var other);
            // Equal subtrees compare to nothing; most writes change one part (labels, status) of an object.
            if (value is JsonObject or JsonArray && JsonNode.DeepEquals(value, other))
                continue;
            CompareField(key, value, other, schema, path, comparison);
        }
        foreach (var (key, value) in right)
        {
            if (!left.ContainsKey(key))
                CompareField(key, null, value, schema, path, comparison);
        }
        return comparison;
    }

    /// <summary>Deletes every member path of <paramref name="paths"/> from <paramref name="root"/>.</summary>
    public static void Remove(JsonObject root, FieldSet paths, ApplySchema schema) => Remove((JsonNode)root, paths, schema);

    private static void ToSet(JsonNode? value, ApplySchema schema, List<string> path, FieldSet set)
    {
        switch (schema.Kind)
        {
            case ApplyNodeKind.Struct or ApplyNodeKind.Map when value is JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    path.Add(FieldPath.Field(key));
                    ToSet(child, SchemaCache.Child(schema, key), path, set);
                    if (child is null || child is JsonObject { Count: 0 } || schema.Kind == ApplyNodeKind.Map)
                        set.Insert(path);
                    path.RemoveAt(path.Count - 1);
                }
                return;
            case ApplyNodeKind.KeyedList when value is JsonArray list:
                foreach (var item in list)
                {
                    path.Add(ItemKey(item, schema));
                    ToSet(item, SchemaCache.Item(schema), path, set);
                    set.Insert(path);
                    path.RemoveAt(path.Count - 1);
                }
                return;
            case ApplyNodeKind.Set when value is JsonArray values:
                foreach (var item in values)
                {
                    path.Add(FieldPath.Value(item));
                    set.Insert(path);
                    path.RemoveAt(path.Count - 1);
                }
                return;
            default:
                if (path.Count > 0)
                    set.Insert(path);
                return;
        }
    }

    private static void Compare(JsonNode? lhs, JsonNode? rhs, ApplySchema schema, List<string> path, FieldComparison result)
    {
        if (lhs is null && rhs is null)
            return;
        switch (schema.Kind)
        {
            case ApplyNodeKind.Struct or ApplyNodeKind.Map
                when lhs is JsonObject or null && rhs is JsonObject or null && !(IsEmpty(lhs) && IsEmpty(rhs)):
                var left = lhs as JsonObject;
                var right = rhs as JsonObject;
                if (left is not null)
                {
                    foreach (var (key, value) in left)
                        CompareField(key, value, right?[key], schema, path, result);
                }
                if (right is not null)
                {
                    foreach (var (key, value) in right)
                    {
                        if (left is null || !left.ContainsKey(key))
                            CompareField(key, null, value, schema, path, result);
                    }
                }
                // A struct always exists in a Go object; only maps appear and disappear as a whole.
                if (schema.Kind == ApplyNodeKind.Map)
                    MarkPresence(lhs, rhs, path, result);
                return;
            case ApplyNodeKind.KeyedList or ApplyNodeKind.Set
                when lhs is JsonArray or null && rhs is JsonArray or null && !(IsEmpty(lhs) && IsEmpty(rhs)):
                var leftItems = Index(lhs as JsonArray, schema);
                var rightItems = Index(rhs as JsonArray, schema);
                foreach (var (key, l) in leftItems)
                {
                    var inRight = rightItems.TryGetValue(key, out var r);
                    CompareItem(key, l, r, true, inRight, schema, path, result);
                }
                foreach (var (key, r) in rightItems)
                {
                    if (!leftItems.ContainsKey(key))
                        CompareItem(key, null, r, false, true, schema, path, result);
                }
                if (!schema.AlwaysPresent)
                    MarkPresence(lhs, rhs, path, result);
                return;
            default:
                if (path.Count == 0)
                    return;
                if (lhs is null)
                    result.Added.Insert(path);
                else if (rhs is null)
                    result.Removed.Insert(path);
                else if (!JsonNode.DeepEquals(lhs, rhs))
                    result.Modified.Insert(path);
                return;
        }
    }

    private static void CompareField(string key, JsonNode? lhs, JsonNode? rhs, ApplySchema schema, List<string> path, FieldComparison result)
    {
        if (lhs is null && rhs is null)
            return;
        path.Add(FieldPath.Field(key));
        Compare(lhs, rhs, SchemaCache.Child(schema, key), path, result);
        path.RemoveAt(path.Count - 1);
    }

    private static void CompareItem(string key, JsonNode? lhs, JsonNode? rhs, bool inLeft, bool inRight, ApplySchema schema, List<string> path, FieldComparison result)
    {
        path.Add(key);
        if (schema.Kind == ApplyNodeKind.KeyedList)
            Compare(lhs, rhs, SchemaCache.Item(schema), path, result);
        MarkPresence(lhs, rhs, path, result, inLeft, inRight);
        path.RemoveAt(path.Count - 1);
    }

    private static void MarkPresence(JsonNode? lhs, JsonNode? rhs, List<string> path, FieldComparison result, bool? inLeft = null, bool? inRight = null)
    {
        if (path.Count == 0)
            return;
        var left = inLeft ?? lhs is not null;
        var right = inRight ?? rhs is not null;
        if (!left && right)
            result.Added.Insert(path);
        else if (left && !right)
            result.Removed.Insert(path);
    }

    private static void Remove(JsonNode? node, FieldSet paths, ApplySchema schema)
    {
        foreach (var (element, child) in paths.Children)
        {
            switch (node)
            {
                case JsonObject obj when element.StartsWith("f:", StringComparison.Ordinal):
                    var key = element[2..];
                    if (child.Member)
                        obj.Remove(key);
                    else if (obj[key] is { } value)
                        Remove(value, child, SchemaCache.Child(schema, key));
                    break;
                case JsonArray list:
                    var index = list.ToList().FindIndex(item => ElementOf(item, schema) == element);
                    if (index < 0)
                        break;
                    if (child.Member)
                        list.RemoveAt(index);
                    else
                        Remove(list[index], child, SchemaCache.Item(schema));
                    break;
            }
        }
    }

    private static Dictionary<string, JsonNode?> Index(JsonArray? list, ApplySchema schema)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var item in list ?? [])
            result.TryAdd(ElementOf(item, schema), item);
        return result;
    }

    private static string ElementOf(JsonNode? item, ApplySchema schema) =>
        schema.Kind == ApplyNodeKind.KeyedList ? ItemKey(item, schema) : FieldPath.Value(item);

    /// <summary>
    /// The <c>k:</c> element of a list-map item. A missing <c>protocol</c> key takes its schema default TCP,
    /// as upstream does for container and service ports.
    /// </summary>
    private static string ItemKey(JsonNode? item, ApplySchema schema)
    {
        var obj = item as JsonObject;
        if (schema.Keys.Count == 1 && obj?[schema.Keys[0]] is JsonValue single && PlainString(single) is { } text)
            return "k:{\"" + schema.Keys[0] + "\":\"" + text + "\"}";
        var fields = new List<KeyValuePair<string, JsonNode?>>();
        foreach (var key in schema.Keys)
        {
            var value = obj?[key];
            if (value is null && key == "protocol")
                value = JsonValue.Create("TCP");
            if (value is not null)
                fields.Add(new(key, value));
        }
        return FieldPath.Key(fields);
    }

    /// <summary>
    /// A string value that JSON writes verbatim between quotes (letters, digits, <c>-._/:</c>), so that the
    /// usual one-key item (<c>k:{"name":"nginx"}</c>) needs no JSON writer; null for anything else.
    /// </summary>
    private static string? PlainString(JsonValue value)
    {
        if (value.GetValueKind() != System.Text.Json.JsonValueKind.String || !value.TryGetValue<string>(out var text))
            return null;
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '/' or ':'))
                return null;
        }
        return text;
    }

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        _ => false,
    };
}

/// <summary>
/// <see cref="ApplySchema.Child"/> and <see cref="ApplySchema.Item"/> memoized per model type: they reflect over
/// the models on every call, and every write walks its whole object. Only declared properties are cached, so
/// request data (unknown keys, map keys) never grows the cache.
/// </summary>
file static class SchemaCache
{
    private static readonly ConcurrentDictionary<(Type, string), ApplySchema> StructFields = new();
    private static readonly ConcurrentDictionary<Type, ApplySchema> MapValues = new();
    private static readonly ConcurrentDictionary<Type, ApplySchema> Items = new();

    public static ApplySchema Child(ApplySchema schema, string key) => schema switch
    {
        { Kind: ApplyNodeKind.Struct, Type: { } type } when ModelShape.PropertiesOf(type).ContainsKey(key) =>
            StructFields.GetOrAdd((type, key), static (k, s) => s.Child(k.Item2), schema),
        // Every key of a typed map has the same value schema.
        { Kind: ApplyNodeKind.Map, Type: { } type } => MapValues.GetOrAdd(type, static (_, a) => a.Schema.Child(a.Key), (Schema: schema, Key: key)),
        _ => schema.Child(key),
    };

    public static ApplySchema Item(ApplySchema schema) =>
        schema.Type is { } type ? Items.GetOrAdd(type, static (_, s) => s.Item(), schema) : schema.Item();
}
