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
        Record(oldObj, result, manager, operation, apiVersion, now, subresource, modelType);
        return result;
    }

    /// <summary>
    /// <see cref="RecordUpdate"/> in place: sets <c>metadata.managedFields</c> of <paramref name="newObj"/> itself,
    /// for a writer that owns its copy. Neither object is otherwise changed.
    /// </summary>
    public static void Record(JsonObject? oldObj, JsonObject newObj, string manager, string operation,
        string apiVersion, DateTimeOffset now, string? subresource, Type? modelType = null)
    {
        var entries = ManagedEntry.Read(RequestChangedOwnership(oldObj, newObj) ? newObj : oldObj);
        var schema = ApplySchema.ForModel(modelType ?? ModelTypes.Find(newObj));
        var comparison = FieldWalker.CompareTracked(oldObj, newObj, subresource, schema);
        var changed = comparison.Modified.IsEmpty ? comparison.Added : comparison.Added.Union(comparison.Modified);

        var self = new ManagedEntry(manager, operation, apiVersion, null, subresource, changed);
        // A create, or a first write nobody owned anything of: the writer owns what it set, nothing to take away.
        if (entries.Count == 0)
        {
            ManagedEntry.Write(newObj, [self with { Time = ManagedEntry.FormatTime(now) }]);
            return;
        }

        var updated = new List<ManagedEntry>(entries.Count + 1);
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
        ManagedEntry.Write(newObj, updated);
    }

    private static bool RequestChangedOwnership(JsonObject? oldObj, JsonObject newObj) =>
        newObj["metadata"]?["managedFields"] is JsonArray requested
        && (oldObj is null || !JsonNode.DeepEquals(requested, oldObj["metadata"]?["managedFields"]));
}
