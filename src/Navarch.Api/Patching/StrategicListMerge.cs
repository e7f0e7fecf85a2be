using System.Text.Json.Nodes;
using D = Navarch.Api.Patching.StrategicDirectives;

namespace Navarch.Api.Patching;

/// <summary>The list half of strategic merge patch: merge by key, union of scalars, item directives, ordering.</summary>
internal static class StrategicListMerge
{
    /// <summary>
    /// Merges a patch list into a list with patchStrategy merge. <paramref name="order"/> is the
    /// <c>$setElementOrder</c> list when given; otherwise the patch list's own order is used, as upstream does.
    /// </summary>
    public static JsonArray Merge(JsonArray original, JsonArray patch, string? mergeKey, Type? itemType, JsonArray? order)
    {
        var serverOrder = original.Select(i => i?.DeepClone()).ToList();
        var scalars = patch.Concat(original).All(i => i is not JsonObject);
        List<JsonNode?> merged;
        List<JsonNode?> patchItems;
        if (scalars)
        {
            patchItems = patch.Select(i => i?.DeepClone()).ToList();
            merged = Deduplicate(serverOrder.Concat(patchItems).Select(i => i?.DeepClone()));
        }
        else
        {
            if (mergeKey is null)
                throw new PatchException(PatchErrorKind.Invalid, "cannot merge lists without merge key");
            (merged, patchItems) = MergeMaps(serverOrder, patch, mergeKey, itemType);
        }
        var orderList = order?.ToList() ?? patchItems;
        return Normalize(merged, orderList, serverOrder, scalars ? null : mergeKey);
    }

    /// <summary>A copy of a list that replaces the live one: directives and nulls inside its items are dropped.</summary>
    public static JsonArray StripDirectives(JsonArray patch, string? mergeKey, Type? itemType)
    {
        var result = new JsonArray();
        foreach (var item in patch)
        {
            if (item is JsonObject obj)
            {
                var directive = obj[D.Patch]?.ToString();
                if (directive is D.Delete or D.Replace)
                    continue;
                result.Add(StrategicMergePatch.MergeMap([], (JsonObject)obj.DeepClone(), itemType));
            }
            else
            {
                result.Add(item?.DeepClone());
            }
        }
        return result;
    }

    private static (List<JsonNode?> Merged, List<JsonNode?> PatchItems) MergeMaps(List<JsonNode?> original, JsonArray patch, string mergeKey, Type? itemType)
    {
        var merged = original.Select(i => i?.DeepClone()).ToList();
        var regular = new List<JsonObject>();
        foreach (var item in patch)
        {
            if (item is not JsonObject obj)
                continue;
            var copy = (JsonObject)obj.DeepClone();
            if (!copy.TryGetPropertyValue(D.Patch, out var directiveNode))
            {
                regular.Add(copy);
                continue;
            }
            var directive = directiveNode?.ToString();
            switch (directive)
            {
                case D.Replace:
                    merged.Clear();
                    break;
                case D.Delete:
                    var key = KeyOf(copy, mergeKey);
                    merged.RemoveAll(m => m is JsonObject mo && JsonNode.DeepEquals(mo[mergeKey], key));
                    break;
                case D.Merge:
                    copy.Remove(D.Patch);
                    regular.Add(copy);
                    break;
                default:
                    throw new PatchException(PatchErrorKind.BadRequest, $"unknown patch type: {directive} in map: {copy.ToJsonString()}");
            }
        }

        var patchItems = new List<JsonNode?>();
        foreach (var item in regular)
        {
            var key = KeyOf(item, mergeKey);
            var index = merged.FindIndex(m => m is JsonObject mo && JsonNode.DeepEquals(mo[mergeKey], key));
            JsonObject result = index >= 0
                ? StrategicMergePatch.MergeMap((JsonObject)merged[index]!.DeepClone(), item, itemType)
                : StrategicMergePatch.MergeMap([], item, itemType);
            if (index >= 0)
                merged[index] = result;
            else
                merged.Add(result);
            patchItems.Add(result);
        }
        return (merged, patchItems);
    }

    private static JsonNode KeyOf(JsonObject item, string mergeKey) =>
        item.TryGetPropertyValue(mergeKey, out var key) && key is not null
            ? key
            : throw new PatchException(PatchErrorKind.Invalid, $"map: {WithoutDirectives(item)} does not contain declared merge key: {mergeKey}");

    private static string WithoutDirectives(JsonObject item)
    {
        var copy = (JsonObject)item.DeepClone();
        copy.Remove(D.Patch);
        return copy.ToJsonString();
    }

    private static List<JsonNode?> Deduplicate(IEnumerable<JsonNode?> items)
    {
        var result = new List<JsonNode?>();
        foreach (var item in items)
        {
            if (!result.Any(r => JsonNode.DeepEquals(r, item)))
                result.Add(item);
        }
        return result;
    }

    /// <summary>
    /// Upstream's normalizeElementOrder: the items named by the order list, in that order, merged with the
    /// server-only items in the server's order; a server-only item goes first unless the named item stood
    /// before it on the server.
    /// </summary>
    private static JsonArray Normalize(List<JsonNode?> merged, List<JsonNode?> order, List<JsonNode?> serverOrder, string? mergeKey)
    {
        int IndexIn(List<JsonNode?> list, JsonNode? item) => list.FindIndex(x => SameItem(x, item, mergeKey));

        var named = merged.Where(m => IndexIn(order, m) >= 0).OrderBy(m => IndexIn(order, m)).ToList();
        var serverOnly = merged.Where(m => IndexIn(order, m) < 0).ToList();
        var result = new JsonArray();
        int i = 0, j = 0;
        while (i < named.Count || j < serverOnly.Count)
        {
            bool takeNamed;
            if (j >= serverOnly.Count)
                takeNamed = true;
            else if (i >= named.Count)
                takeNamed = false;
            else
            {
                var li = IndexIn(serverOrder, named[i]);
                var ri = IndexIn(serverOrder, serverOnly[j]);
                takeNamed = li >= 0 && ri >= 0 && li < ri;
            }
            result.Add((takeNamed ? named[i++] : serverOnly[j++])?.DeepClone());
        }
        return result;
    }

    private static bool SameItem(JsonNode? a, JsonNode? b, string? mergeKey) =>
        mergeKey is not null && a is JsonObject ao && b is JsonObject bo
            ? ao[mergeKey] is { } ak && JsonNode.DeepEquals(ak, bo[mergeKey])
            : JsonNode.DeepEquals(a, b);
}
