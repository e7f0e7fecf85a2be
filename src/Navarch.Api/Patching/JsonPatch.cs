using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>
/// RFC 6902 JSON patch (<c>application/json-patch+json</c>). Error texts follow the evanphx/json-patch
/// library that upstream's API server uses, so clients see the same messages.
/// </summary>
public static class JsonPatch
{
    /// <summary>
    /// Applies <paramref name="patch"/> (an array of operations) to a copy of <paramref name="document"/>.
    /// The inputs are not modified. Throws <see cref="PatchException"/>: BadRequest when the patch is not an
    /// array of well-formed operations, Invalid when an operation does not apply (missing path, failed test).
    /// </summary>
    public static JsonNode Apply(JsonNode document, JsonNode patch)
    {
        if (patch is not JsonArray operations)
            throw new PatchException(PatchErrorKind.BadRequest, "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        if (operations.Count > InputLimits.MaxJsonPatchOperations)
            throw new PatchException(PatchErrorKind.TooLarge,
                $"The allowed maximum operations in a JSON patch is {InputLimits.MaxJsonPatchOperations}, got {operations.Count}");
        JsonNode? doc = document.DeepClone();
        var copied = 0L;
        foreach (var entry in operations)
        {
            if (entry is not JsonObject op)
                throw new PatchException(PatchErrorKind.BadRequest, "json: cannot unmarshal into Go value of type jsonpatch.Operation");
            doc = ApplyOne(doc, op, ref copied);
        }
        // The only patch that can nest deeper than its inputs: a deep value added at a deep path.
        InputLimits.CheckDepth(doc);
        return doc ?? JsonValue.Create((string?)null)!;
    }

    private static JsonNode? ApplyOne(JsonNode? doc, JsonObject op, ref long copied)
    {
        var kind = StringMember(op, "op") ?? "unknown";
        switch (kind)
        {
            case "add":
                return Add(doc, Pointer(op, "path"), Value(op), kind);
            case "remove":
                Remove(doc, Pointer(op, "path"), kind);
                return doc;
            case "replace":
                return Replace(doc, Pointer(op, "path"), Value(op));
            case "move":
                {
                    var from = Pointer(op, "from");
                    var path = Pointer(op, "path");
                    var value = From(doc, from, kind);
                    Remove(doc, from, kind);
                    return Add(doc, path, value, kind);
                }
            case "copy":
                {
                    var from = Pointer(op, "from");
                    var value = From(doc, from, kind);
                    // Each copy can double the document: 40 copies of 100 bytes would be a terabyte. The copied bytes
                    // are capped in all, as upstream's json-patch does (AccumulatedCopySizeLimit).
                    copied += value is null ? 4 : System.Text.Encoding.UTF8.GetByteCount(value.ToJsonString());
                    if (copied > InputLimits.MaxJsonPatchCopiedBytes)
                        throw new PatchException(PatchErrorKind.TooLarge,
                            $"Unable to complete the copy, the accumulated size increase of copy is {copied}, exceeding the limit {InputLimits.MaxJsonPatchCopiedBytes}");
                    return Add(doc, Pointer(op, "path"), value, kind);
                }
            case "test":
                Test(doc, Pointer(op, "path"), Value(op));
                return doc;
            default:
                throw new PatchException(PatchErrorKind.BadRequest, $"Unexpected kind: {kind}");
        }
    }

    private static JsonNode? Add(JsonNode? doc, JsonPointer path, JsonNode? value, string kind)
    {
        if (path.IsRoot)
            return value;
        switch (path.ResolveParent(doc))
        {
            case JsonObject obj:
                obj[path.Last] = value;
                return doc;
            case JsonArray arr:
                if (path.Last == "-")
                {
                    arr.Add(value);
                    return doc;
                }
                if (!JsonPointer.TryIndex(path.Last, arr.Count, out var index))
                    throw InvalidIndex(path.Last);
                arr.Insert(index, value);
                return doc;
            default:
                throw new PatchException(PatchErrorKind.Invalid, $"{kind} operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }

    private static void Remove(JsonNode? doc, JsonPointer path, string kind)
    {
        var parent = path.IsRoot ? null : path.ResolveParent(doc);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(path.Last):
                obj.Remove(path.Last);
                return;
            case JsonObject:
                throw new PatchException(PatchErrorKind.Invalid, $"Unable to remove nonexistent key: {path.Last}: missing value");
            case JsonArray arr:
                if (!JsonPointer.TryIndex(path.Last, arr.Count - 1, out var index))
                    throw InvalidIndex(path.Last);
                arr.RemoveAt(index);
                return;
            default:
                throw new PatchException(PatchErrorKind.Invalid, $"{kind} operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }

    private static JsonNode? Replace(JsonNode? doc, JsonPointer path, JsonNode? value)
    {
        if (path.IsRoot)
            return value;
        switch (path.ResolveParent(doc))
        {
            case JsonObject obj when obj.ContainsKey(path.Last):
                obj[path.Last] = value;
                return doc;
            case JsonArray arr when JsonPointer.TryIndex(path.Last, arr.Count - 1, out var index):
                arr[index] = value;
                return doc;
            case JsonArray:
                throw InvalidIndex(path.Last);
            default:
                throw new PatchException(PatchErrorKind.Invalid, $"replace operation does not apply: doc is missing key: {path}: missing value");
        }
    }

    private static JsonNode? From(JsonNode? doc, JsonPointer from, string kind)
    {
        var value = from.Resolve(doc, out var found);
        if (!found)
            throw new PatchException(PatchErrorKind.Invalid, $"{kind} operation does not apply: doc is missing from path: {from}: missing value");
        // Detach: a node can have one parent only.
        return value?.DeepClone();
    }

    private static void Test(JsonNode? doc, JsonPointer path, JsonNode? expected)
    {
        var actual = path.Resolve(doc, out var found);
        if (!found && expected is not null)
            throw new PatchException(PatchErrorKind.Invalid, $"testing value {path} failed: test failed");
        if (!JsonNode.DeepEquals(actual, expected))
            throw new PatchException(PatchErrorKind.Invalid, $"testing value {path} failed: test failed");
    }

    private static JsonPointer Pointer(JsonObject op, string member)
    {
        var text = StringMember(op, member)
            ?? throw new PatchException(PatchErrorKind.BadRequest, $"{StringMember(op, "op")} operation missing {member} string");
        return JsonPointer.Parse(text);
    }

    private static JsonNode? Value(JsonObject op)
    {
        if (!op.TryGetPropertyValue("value", out var value))
            throw new PatchException(PatchErrorKind.BadRequest, $"{StringMember(op, "op")} operation missing value");
        return value?.DeepClone();
    }

    private static string? StringMember(JsonObject op, string name) =>
        op.TryGetPropertyValue(name, out var node) && node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static PatchException InvalidIndex(string token) =>
        new(PatchErrorKind.Invalid, $"Unable to access invalid index: {token}: invalid index referenced");
}
