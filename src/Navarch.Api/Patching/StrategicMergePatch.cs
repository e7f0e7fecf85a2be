using System.Text.Json.Nodes;
using Navarch.Api.Schema;
using D = Navarch.Api.Patching.StrategicDirectives;

namespace Navarch.Api.Patching;

/// <summary>
/// Kubernetes strategic merge patch (<c>application/strategic-merge-patch+json</c>) for the built-in types, as
/// <c>kubectl apply/edit/label/annotate</c> send it. Lists whose property has patchStrategy merge
/// (<see cref="PatchMeta"/>) merge by their merge key, or are unioned when they hold scalars; other lists are
/// replaced. <c>null</c> deletes a key. Directives: <c>$patch: replace|delete|merge</c> in maps and list items,
/// <c>$setElementOrder/&lt;list&gt;</c>, <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/&lt;list&gt;</c>.
/// </summary>
public static class StrategicMergePatch
{
    /// <summary>
    /// Applies <paramref name="patch"/> to a copy of <paramref name="document"/> using the patch metadata of
    /// <paramref name="modelType"/> (e.g. <c>typeof(V1Pod)</c>; any type without metadata gives plain merge
    /// semantics). Inputs are not modified. Throws <see cref="PatchException"/>: BadRequest for a malformed patch
    /// or directive, Invalid for a patch that cannot apply (list item without its merge key, retainKeys mismatch).
    /// </summary>
    public static JsonNode Apply(JsonNode document, JsonNode patch, Type modelType)
    {
        if (patch is not JsonObject patchObject)
            throw new PatchException(PatchErrorKind.BadRequest, "json: cannot unmarshal array into Go value of type map[string]interface {}");
        var original = document as JsonObject ?? [];
        return MergeMap((JsonObject)original.DeepClone(), (JsonObject)patchObject.DeepClone(), modelType);
    }

    /// <summary>Merges <paramref name="patch"/> into <paramref name="original"/>; both are private copies and may be changed.</summary>
    internal static JsonObject MergeMap(JsonObject original, JsonObject patch, Type? type)
    {
        if (patch.TryGetPropertyValue(D.Patch, out var directive))
        {
            var name = directive?.GetValueKind() == System.Text.Json.JsonValueKind.String ? directive.GetValue<string>() : directive?.ToJsonString();
            patch.Remove(D.Patch);
            switch (name)
            {
                case D.Replace:
                    return MergeMap([], patch, type);
                case D.Delete:
                    return [];
                case D.Merge:
                    break;
                default:
                    throw new PatchException(PatchErrorKind.BadRequest, $"unknown patch type: {name} in map: {patch.ToJsonString()}");
            }
        }

        ApplyRetainKeys(original, patch);
        MergeListDirectives(original, patch, type);

        foreach (var (key, patchValue) in patch.ToArray())
        {
            if (D.IsDirectiveKey(key))
                continue;
            if (patchValue is null)
            {
                original.Remove(key);
                continue;
            }
            var childType = ModelShape.ChildType(type, key);
            original.TryGetPropertyValue(key, out var originalValue);
            patch.Remove(key);
            original[key] = MergeValue(originalValue?.DeepClone(), patchValue, type, key, childType);
        }
        return original;
    }

    private static JsonNode? MergeValue(JsonNode? originalValue, JsonNode patchValue, Type? parentType, string key, Type? childType)
    {
        var (strategy, mergeKey) = parentType is null ? (null, null) : PatchMeta.For(parentType, key);
        switch (patchValue)
        {
            case JsonObject patchMap when strategy == D.Replace:
                return MergeMap([], patchMap, childType);
            case JsonObject patchMap:
                return MergeMap(originalValue as JsonObject ?? [], patchMap, childType);
            case JsonArray patchList when originalValue is JsonArray originalList && IsMergeStrategy(strategy):
                return StrategicListMerge.Merge(originalList, patchList, mergeKey, ModelShape.ItemType(childType), order: null);
            case JsonArray patchList:
                return StrategicListMerge.StripDirectives(patchList, mergeKey, ModelShape.ItemType(childType));
            default:
                return patchValue;
        }
    }

    internal static bool IsMergeStrategy(string? strategy) =>
        strategy is not null && strategy.Split(',').Contains(D.Merge);

    /// <summary><c>$retainKeys</c>: keys of the original map not listed are cleared before merging.</summary>
    private static void ApplyRetainKeys(JsonObject original, JsonObject patch)
    {
        if (!patch.TryGetPropertyValue(D.RetainKeys, out var retainNode))
            return;
        patch.Remove(D.RetainKeys);
        if (retainNode is not JsonArray retainList)
            throw new PatchException(PatchErrorKind.BadRequest, "invalid patch format of retainKeys");
        var retain = retainList.Select(n => n?.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            if (value is not null && !D.IsDirectiveKey(key) && !retain.Contains(key))
                throw new PatchException(PatchErrorKind.Invalid, "patch content doesn't match retainKeys list");
        }
        foreach (var key in original.Select(p => p.Key).ToArray())
        {
            if (!retain.Contains(key))
                original.Remove(key);
        }
    }

    /// <summary>
    /// <c>$deleteFromPrimitiveList/x</c> and <c>$setElementOrder/x</c>: merge list x with its directives, then
    /// order it the way the patch asks (items the patch does not name keep their place relative to the server's order).
    /// </summary>
    private static void MergeListDirectives(JsonObject original, JsonObject patch, Type? type)
    {
        var lists = patch.Select(p => p.Key)
            .Where(k => k.StartsWith(D.SetElementOrderPrefix, StringComparison.Ordinal) || k.StartsWith(D.DeleteFromPrimitiveListPrefix, StringComparison.Ordinal))
            .Select(k => k[(k.IndexOf('/') + 1)..])
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        foreach (var list in lists)
        {
            var (strategy, mergeKey) = type is null ? (null, null) : PatchMeta.For(type, list);
            var itemType = ModelShape.ItemType(ModelShape.ChildType(type, list));
            var order = TakeList(patch, D.SetElementOrderPrefix + list);
            var deletions = TakeList(patch, D.DeleteFromPrimitiveListPrefix + list);
            var current = original.TryGetPropertyValue(list, out var o) && o is JsonArray oa ? (JsonArray)oa.DeepClone() : [];
            if (deletions is not null)
                current = new JsonArray(current.Where(item => !deletions.Any(d => JsonNode.DeepEquals(d, item))).Select(i => i?.DeepClone()).ToArray());

            var hasPatchList = patch.TryGetPropertyValue(list, out var patchListNode);
            if (hasPatchList && patchListNode is null)
                continue; // the loop in MergeMap deletes the key
            if (hasPatchList && (patchListNode is not JsonArray || !IsMergeStrategy(strategy)))
            {
                original[list] = current; // the plain loop replaces it
                continue;
            }
            patch.Remove(list);
            var merged = StrategicListMerge.Merge(current, patchListNode as JsonArray ?? [], mergeKey, itemType, order);
            if (merged.Count > 0 || original.ContainsKey(list))
                original[list] = merged;
        }
    }

    private static JsonArray? TakeList(JsonObject patch, string key)
    {
        if (!patch.TryGetPropertyValue(key, out var node))
            return null;
        patch.Remove(key);
        return node as JsonArray
            ?? throw new PatchException(PatchErrorKind.BadRequest, key.StartsWith(D.SetElementOrderPrefix, StringComparison.Ordinal)
                ? "invalid patch format of setElementOrder list"
                : "invalid patch format of primitive list");
    }
}
