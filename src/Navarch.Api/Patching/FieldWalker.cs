using System.Text.Json.Nodes;

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
                    ToSet(child, schema.Child(key), path, set);
                    if (child is null || child is JsonObject { Count: 0 } || schema.Kind == ApplyNodeKind.Map)
                        set.Insert(path);
                    path.RemoveAt(path.Count - 1);
                }
                return;
            case ApplyNodeKind.KeyedList when value is JsonArray list:
                foreach (var item in list)
                {
                    path.Add(ItemKey(item, schema));
                    ToSet(item, schema.Item(), path, set);
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
                var left = lhs as JsonObject ?? [];
                var right = rhs as JsonObject ?? [];
                foreach (var key in left.Select(p => p.Key).Union(right.Select(p => p.Key)))
                {
                    path.Add(FieldPath.Field(key));
                    Compare(left[key], right[key], schema.Child(key), path, result);
                    path.RemoveAt(path.Count - 1);
                }
                // A struct always exists in a Go object; only maps appear and disappear as a whole.
                if (schema.Kind == ApplyNodeKind.Map)
                    MarkPresence(lhs, rhs, path, result);
                return;
            case ApplyNodeKind.KeyedList or ApplyNodeKind.Set
                when lhs is JsonArray or null && rhs is JsonArray or null && !(IsEmpty(lhs) && IsEmpty(rhs)):
                var leftItems = Index(lhs as JsonArray, schema);
                var rightItems = Index(rhs as JsonArray, schema);
                foreach (var key in leftItems.Keys.Union(rightItems.Keys))
                {
                    path.Add(key);
                    leftItems.TryGetValue(key, out var l);
                    rightItems.TryGetValue(key, out var r);
                    if (schema.Kind == ApplyNodeKind.KeyedList)
                        Compare(l, r, schema.Item(), path, result);
                    MarkPresence(l, r, path, result, leftItems.ContainsKey(key), rightItems.ContainsKey(key));
                    path.RemoveAt(path.Count - 1);
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
                        Remove(value, child, schema.Child(key));
                    break;
                case JsonArray list:
                    var index = list.ToList().FindIndex(item => ElementOf(item, schema) == element);
                    if (index < 0)
                        break;
                    if (child.Member)
                        list.RemoveAt(index);
                    else
                        Remove(list[index], child, schema.Item());
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

    private static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        _ => false,
    };
}
