using System.Text.Json.Nodes;

namespace Navarch.Api.Patching;

/// <summary>The outcome of a server-side apply.</summary>
/// <param name="Object">The merged object with <c>metadata.managedFields</c> updated; the server stores it.</param>
/// <param name="Created">True when there was no live object (the server answers 201).</param>
/// <param name="Changed">False when the apply changed neither the object nor its ownership.</param>
public sealed record ApplyResult(JsonObject Object, bool Created, bool Changed);

/// <summary>A field another manager owns that an apply would change.</summary>
/// <param name="Field">Upstream's path text, e.g. <c>.spec.replicas</c> or <c>.spec.containers[name="nginx"].image</c>.</param>
/// <param name="Message">e.g. <c>conflict with "kubectl-client-side-apply" using v1</c> (a StatusCause of type FieldManagerConflict).</param>
public sealed record ApplyConflict(string Field, string Message);

/// <summary>
/// Server-side apply (<c>application/apply-patch+yaml</c>) over JSON, modelled on upstream's structured-merge-diff:
/// the applied configuration is merged onto the live object (strategic-merge semantics with the list keys of
/// <see cref="Schema.PatchMeta"/>); the applier then owns exactly the fields it applied; fields it applied before
/// but no longer does are removed unless another manager owns them; changing a field another manager owns is a
/// conflict unless forced, and forcing moves the ownership.
/// Limits: list-map items are merged by their patch merge key (ports by containerPort / port only, where apply
/// keys by port and protocol); struct types never appear as owned nodes themselves; no version conversion
/// (every entry is compared in the object's one version); atomic lists without a list type are owned whole.
/// </summary>
public sealed class ServerSideApply
{
    /// <summary>
    /// Applies <paramref name="applied"/> for <paramref name="fieldManager"/>. <paramref name="live"/> is the stored
    /// object or null to create. Inputs are not modified. Throws <see cref="PatchException"/> with kind Conflict
    /// and upstream's message (<c>Apply failed with 1 conflict: conflict with "x" using v1: .spec.replicas</c>)
    /// when fields owned by others would change and <paramref name="force"/> is false, listing them in
    /// <see cref="PatchException.Conflicts"/>. BadRequest when the
    /// configuration carries metadata.managedFields or lacks apiVersion/kind.
    /// </summary>
    public ApplyResult Apply(JsonObject? live, JsonObject applied, string fieldManager, bool force, Type modelType, DateTimeOffset now)
    {
        Validate(applied);
        var schema = ApplySchema.ForModel(modelType);
        var entries = ManagedEntry.Read(live);
        var self = new ManagedEntry(fieldManager, ManagedEntry.Apply, applied["apiVersion"]?.ToString(), ManagedEntry.FormatTime(now), null, new FieldSet());

        var liveObject = live is null ? [] : (JsonObject)live.DeepClone();
        (liveObject["metadata"] as JsonObject)?.Remove("managedFields");
        var merged = StrategicMergePatch.MergeMap((JsonObject)liveObject.DeepClone(), (JsonObject)applied.DeepClone(), modelType);

        var appliedSet = FieldWalker.ToSet(TrackedObject.Of(applied, null), schema);
        var previous = entries.FirstOrDefault(e => e.SameManager(self));
        var others = entries.Where(e => !e.SameManager(self)).ToList();
        if (previous is not null)
        {
            var ownedByOthers = others.Aggregate(new FieldSet(), (set, e) => set.Union(e.Fields));
            FieldWalker.Remove(merged, previous.Fields.Difference(appliedSet).Difference(ownedByOthers), schema);
        }

        var comparison = FieldWalker.Compare(TrackedObject.Of(liveObject, null), TrackedObject.Of(merged, null), schema);
        var changed = comparison.Added.Union(comparison.Modified);
        var conflicts = others
            .Select(e => (Entry: e, Fields: e.Fields.Intersection(changed)))
            .Where(c => !c.Fields.IsEmpty)
            .ToList();
        if (conflicts.Count > 0 && !force)
            throw ConflictError(conflicts);

        var updated = others
            .Select(e => e with { Fields = e.Fields.Difference(changed).Difference(comparison.Removed) })
            .Append(self with { Fields = appliedSet })
            .ToList();
        ManagedEntry.Write(merged, updated);

        var objectChanged = !JsonNode.DeepEquals(liveObject, WithoutManagedFields(merged));
        var ownershipChanged = previous is null || !SameFields(previous.Fields, appliedSet) || conflicts.Count > 0;
        if (!objectChanged && !ownershipChanged && live is not null)
            return new ApplyResult((JsonObject)live.DeepClone(), Created: false, Changed: false);
        return new ApplyResult(merged, Created: live is null, Changed: true);
    }

    private static void Validate(JsonObject applied)
    {
        if (applied["metadata"]?["managedFields"] is not null)
            throw new PatchException(PatchErrorKind.BadRequest, "metadata.managedFields must be nil");
        if (applied["apiVersion"] is null || applied["kind"] is null)
            throw new PatchException(PatchErrorKind.BadRequest, "Object 'Kind' is missing in apply configuration");
    }

    private static PatchException ConflictError(List<(ManagedEntry Entry, FieldSet Fields)> conflicts)
    {
        var list = conflicts
            .OrderBy(c => c.Entry.Describe(), StringComparer.Ordinal)
            .SelectMany(c => c.Fields.Paths().Select(p => (Manager: c.Entry.Describe(), Path: FieldPath.Display(p))))
            .ToList();
        string message;
        if (list.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {list[0].Manager}: {list[0].Path}";
        }
        else
        {
            var lines = list.GroupBy(c => c.Manager)
                .SelectMany(g => new[] { $"conflicts with {g.Key}:" }.Concat(g.Select(c => $"- {c.Path}")));
            message = $"Apply failed with {list.Count} conflicts: {string.Join("\n", lines)}";
        }
        var causes = list.Select(c => new ApplyConflict(c.Path, $"conflict with {c.Manager}")).ToList();
        return new PatchException(PatchErrorKind.Conflict, message) { Conflicts = causes };
    }

    private static JsonObject WithoutManagedFields(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    private static bool SameFields(FieldSet a, FieldSet b) => a.Difference(b).IsEmpty && b.Difference(a).IsEmpty;
}
