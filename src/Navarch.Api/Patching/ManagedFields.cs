using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>Field ownership for writes that are not server-side apply (create, update, patch, scale).</summary>
public static class ManagedFields
{
    /// <summary>
    /// Returns a copy of <paramref name="newObj"/> whose <c>metadata.managedFields</c> records that
    /// <paramref name="manager"/> set the fields this write added or changed (relative to
    /// <paramref name="oldObj"/>, null on create), and removes those fields (and removed ones) from the other
    /// managers' sets, as upstream's fieldmanager does with force. Ownership is read from the request's
    /// managedFields when the writer changed them, else from <paramref name="oldObj"/>.
    /// <paramref name="operation"/> is normally "Update"; <paramref name="subresource"/> is e.g. "status" or "scale".
    /// <paramref name="modelType"/> defaults to the catalog's model for the object's apiVersion and kind.
    /// Limits: nested structs (spec, template) never appear as owned nodes themselves, only their fields; a
    /// struct that upstream holds by pointer therefore gets no <c>".": {}</c> entry.
    /// </summary>
    public static JsonObject RecordUpdate(JsonObject? oldObj, JsonObject newObj, string manager, string operation,
        string apiVersion, DateTimeOffset now, string? subresource, Type? modelType = null)
    {
        var result = (JsonObject)newObj.DeepClone();
        var entries = ManagedEntry.Read(RequestChangedOwnership(oldObj, newObj) ? newObj : oldObj);
        var schema = ApplySchema.ForModel(modelType ?? ModelTypes.Find(newObj));
        var comparison = FieldWalker.Compare(TrackedObject.Of(oldObj, subresource), TrackedObject.Of(newObj, subresource), schema);
        var changed = comparison.Added.Union(comparison.Modified);

        var self = new ManagedEntry(manager, operation, apiVersion, null, subresource, new FieldSet());
        var updated = new List<ManagedEntry>();
        ManagedEntry? previous = null;
        foreach (var entry in entries)
        {
            if (entry.SameManager(self))
                previous = entry;
            else
                updated.Add(entry with { Fields = entry.Fields.Difference(changed).Difference(comparison.Removed) });
        }
        var fields = (previous?.Fields ?? new FieldSet()).Difference(comparison.Removed).Union(changed);
        var touched = !changed.IsEmpty || !comparison.Removed.IsEmpty;
        updated.Add(self with { Fields = fields, Time = touched || previous is null ? ManagedEntry.FormatTime(now) : previous.Time });
        ManagedEntry.Write(result, updated);
        return result;
    }

    private static bool RequestChangedOwnership(JsonObject? oldObj, JsonObject newObj) =>
        newObj["metadata"]?["managedFields"] is JsonArray requested
        && (oldObj is null || !JsonNode.DeepEquals(requested, oldObj["metadata"]?["managedFields"]));
}
