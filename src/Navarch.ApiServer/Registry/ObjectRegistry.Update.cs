using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Resources;
using Navarch.Api.Validation;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Storage;
using Navarch.ApiServer.Watching;
using Navarch.Storage;

namespace Navarch.ApiServer.Registry;

public sealed partial class ObjectRegistry
{
    /// <summary>Fields only the server sets: an update keeps the old values whatever the client sent.</summary>
    private static readonly string[] ServerOwnedMetadata =
        ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"];

    /// <summary>
    /// Reads the current object, lets <paramref name="mutate"/> produce the new version (it may run more than
    /// once when a concurrent write wins), and writes it if it changed. With <paramref name="allowCreate"/>,
    /// <paramref name="mutate"/> is called with null for a missing object and the result is created.
    /// <paramref name="mutate"/> gets a private copy it may change and return.
    /// </summary>
    public async Task<(IKubernetesObject<V1ObjectMeta> Object, bool Created)> UpdateAsync(
        ResourceType rt, string? ns, string name,
        Func<IKubernetesObject<V1ObjectMeta>?, IKubernetesObject<V1ObjectMeta>> mutate,
        WriteOptions options, bool allowCreate, CancellationToken ct)
    {
        var result = await UpdateCoreAsync(rt, ns, name, current =>
        {
            var wanted = mutate(current is null ? null : ObjectCodec.DecodeJson(rt, current.Json));
            wanted.ApiVersion = rt.ApiVersion;
            wanted.Kind = rt.Kind;
            return ObjectCodec.ToNode(wanted);
        }, options, allowCreate, ct);
        return (result.Object, result.Created);
    }

    /// <summary>
    /// <see cref="UpdateAsync"/> on JSON: <paramref name="mutate"/> gets the current version as a private JSON
    /// object (null when missing and <paramref name="allowCreate"/>) and returns the new version as JSON with
    /// kind and apiVersion checked (<see cref="RequestBody.Check"/>); the registry decodes it once.
    /// </summary>
    public Task<WriteResult> UpdateJsonAsync(
        ResourceType rt, string? ns, string name, Func<JsonObject?, JsonObject> mutate,
        WriteOptions options, bool allowCreate, CancellationToken ct) =>
        UpdateCoreAsync(rt, ns, name, current => mutate(current is null ? null : ParseObject(current.Json)), options, allowCreate, ct);

    private async Task<WriteResult> UpdateCoreAsync(
        ResourceType rt, string? ns, string name, Func<CachedObject?, JsonObject> mutate,
        WriteOptions options, bool allowCreate, CancellationToken ct)
    {
        var key = ObjectKeys.For(rt, ns, name);
        var strategy = _strategies[rt];
        for (var attempt = 1; ; attempt++)
        {
            await _cache.WaitUntilFreshAsync(ct);
            var current = _cache.For(rt).Get(key);
            if (current is null)
            {
                if (!allowCreate) throw ApiException.NotFound(rt.Plural, name, rt.Group);
                var fresh = mutate(null);
                var freshMeta = MetadataOf(rt, fresh);
                var freshName = MetadataString(rt, fresh, freshMeta, "name");
                if (string.IsNullOrEmpty(freshName)) freshMeta["name"] = freshName = name;
                if (freshName != name)
                    throw ApiException.BadRequest($"the name of the object ({freshName}) does not match the name on the URL ({name})");
                try
                {
                    return await CreateJsonAsync(rt, ns, fresh, options, ct);
                }
                catch (ApiException e) when (e.Reason == "AlreadyExists" && attempt < MaxUpdateAttempts)
                {
                    continue;
                }
            }

            var wanted = mutate(current);
            CheckPreconditions(rt, ns, name, wanted, current, strategy);
            var old = ParseObject(current.Json);
            var (updated, updatedJson) = await PrepareUpdateAsync(rt, ns, name, wanted, old, current.Object, options, ct);
            // An unchanged object is not written, unless its stored value is in an old encryption key (rotation rewrites it).
            if (Unchanged(updatedJson, old) && !(_store is Encryption.EncryptingStore encrypting && await encrypting.IsStaleAsync(key, ct)))
                return new WriteResult(current.Object, current.Json, false);

            var hookOld = strategy.HasWriteHooks ? ObjectCodec.DecodeJson(rt, current.Json) : current.Object;
            // The last finalizer is gone from an object being deleted: the update is its deletion.
            if (updated.Metadata.DeletionTimestamp is not null && rt.Definition.IsFinalized(updated) && (updated.Metadata.DeletionGracePeriodSeconds ?? 0) == 0)
            {
                if (options.DryRun) return new WriteResult(updated, null, false);
                try
                {
                    var rev = await _store.DeleteAsync(key, current.Revision, ct);
                    await strategy.AfterDeleteAsync(hookOld, ct);
                    updated.Metadata.ResourceVersion = Rv(rev);
                    return new WriteResult(updated, null, false);
                }
                catch (StorageException e) when (e.Code is StorageErrorCode.Conflict or StorageErrorCode.NotFound && attempt < MaxUpdateAttempts)
                {
                    continue;
                }
            }

            if (options.DryRun) return new WriteResult(updated, null, false);
            var undo = await strategy.BeforeUpdateAsync(updated, hookOld, ct);
            try
            {
                var value = ObjectCodec.Encode(rt, updated);
                var revision = await _store.UpdateAsync(key, value, current.Revision, ct);
                updated.Metadata.ResourceVersion = Rv(revision);
                await strategy.AfterUpdateAsync(updated, hookOld, ct);
                return new WriteResult(updated, ObjectCodec.WithResourceVersion(value, revision), false);
            }
            catch (StorageException e) when (e.Code is StorageErrorCode.Conflict or StorageErrorCode.NotFound)
            {
                if (undo is not null) await undo(CancellationToken.None);
                if (attempt >= MaxUpdateAttempts)
                    throw ApiException.Conflict(rt.Plural, name, "the object has been modified; please apply your changes to the latest version and try again", rt.Group);
            }
            catch
            {
                if (undo is not null) await undo(CancellationToken.None);
                throw;
            }
        }
    }

    /// <summary>Name and namespace as on the URL; uid and resourceVersion, when sent, name the current version.</summary>
    private static void CheckPreconditions(ResourceType rt, string? ns, string name, JsonObject wanted, CachedObject current, ResourceStrategy strategy)
    {
        var meta = MetadataOf(rt, wanted);
        var wantedName = MetadataString(rt, wanted, meta, "name");
        if (wantedName != name)
            throw ApiException.BadRequest($"the name of the object ({wantedName}) does not match the name on the URL ({name})");
        var wantedNs = MetadataString(rt, wanted, meta, "namespace");
        if (rt.Namespaced && !string.IsNullOrEmpty(wantedNs) && wantedNs != ns)
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        // A uid in the new version is a precondition, as upstream: it names the incarnation meant.
        var uid = MetadataString(rt, wanted, meta, "uid");
        if (!string.IsNullOrEmpty(uid) && uid != current.Object.Metadata.Uid)
            throw ApiException.Conflict(rt.Plural, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Object.Metadata.Uid}", rt.Group);
        var wantedRv = MetadataString(rt, wanted, meta, "resourceVersion");
        if (!string.IsNullOrEmpty(wantedRv) && wantedRv != Rv(current.Revision))
            throw ApiException.Conflict(rt.Plural, name, "the object has been modified; please apply your changes to the latest version and try again", rt.Group);
        if (string.IsNullOrEmpty(wantedRv) && !strategy.AllowUnconditionalUpdate)
            throw ApiException.Invalid(rt.Kind, name, $"{rt.Kind} \"{name}\" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update",
                [new V1StatusCause { Reason = "FieldValueInvalid", Field = "metadata.resourceVersion", Message = "Invalid value: 0: must be specified for an update" }]);
    }

    /// <summary>
    /// Merges the new version with the old as the strategy says, keeps server-owned metadata, decodes once to
    /// default and validate, bumps generation on a spec change, and records managedFields. Returns the object
    /// and its JSON (with managedFields, as it will be stored).
    /// </summary>
    private async Task<(IKubernetesObject<V1ObjectMeta> Object, JsonObject Json)> PrepareUpdateAsync(
        ResourceType rt, string? ns, string name, JsonObject wanted, JsonObject old, IKubernetesObject<V1ObjectMeta> oldObj, WriteOptions options, CancellationToken ct)
    {
        var strategy = _strategies[rt];
        var json = strategy.PrepareForUpdate(wanted, old, options.Subresource);
        var meta = MetadataOf(rt, json);
        var oldMeta = (JsonObject)old["metadata"]!;
        foreach (var field in ServerOwnedMetadata)
            meta[field] = oldMeta[field]?.DeepClone();
        // A client that sends no managedFields keeps the recorded ones (upstream resets them only when asked):
        // recording reads them from the old version, so only server-side apply (which records nothing here) needs a copy.
        if (meta["managedFields"] is null && options.FieldManager == ApplyManagerMarker) meta["managedFields"] = oldMeta["managedFields"]?.DeepClone();
        json["apiVersion"] = rt.ApiVersion;
        json["kind"] = rt.Kind;

        var obj = RequestBody.DecodeChecked(rt, json);
        ObjectDefaulter.Apply(rt, obj);
        JsonObject node = null!;
        await AdmitAsync(AdmissionOperation.Update, rt, ns, name, obj, oldObj, options, () =>
        {
            node = ObjectCodec.ToNode(obj);
            // Compared after defaulting, as upstream's strategies compare decoded (defaulted) objects.
            if (options.Subresource != "status" && strategy.TracksGeneration && !JsonNode.DeepEquals(node["spec"], old["spec"]))
            {
                var generation = (obj.Metadata.Generation ?? 0) + 1;
                obj.Metadata.Generation = generation;
                ((JsonObject)node["metadata"]!)["generation"] = generation;
            }
            // A binding may set spec.nodeName, which pod updates otherwise may not change.
            if (options.Subresource != "binding" && !options.SkipValidation) Validate(rt, ObjectValidator.ValidateUpdate(rt, obj, oldObj), obj);
        }, ct);
        RecordManagedFields(rt, old, obj, node, options);
        return (obj, node);
    }

    /// <summary>Whether the prepared version equals the current one, resourceVersion aside (both are private copies).</summary>
    private static bool Unchanged(JsonObject updated, JsonObject old)
    {
        (updated["metadata"] as JsonObject)?.Remove("resourceVersion");
        (old["metadata"] as JsonObject)?.Remove("resourceVersion");
        return JsonNode.DeepEquals(updated, old);
    }

    private static JsonObject ParseObject(byte[] json) => JsonNode.Parse(json)!.AsObject();
}
