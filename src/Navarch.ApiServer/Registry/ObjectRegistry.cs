using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Naming;
using Navarch.Api.Patching;
using Navarch.Api.Resources;
using Navarch.Api.Validation;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Storage;
using Navarch.ApiServer.Watching;
using Navarch.Storage;

namespace Navarch.ApiServer.Registry;

/// <summary>
/// Typed reads and writes of API objects: the semantics of Kubernetes' generic registry (uid, timestamps,
/// generateName, defaults, validation, optimistic concurrency, status kept apart from spec, graceful
/// deletion, finalizers) over the store, with reads served from the watch cache.
/// </summary>
public sealed partial class ObjectRegistry
{
    private const int MaxGenerateNameAttempts = 8;
    private const int MaxUpdateAttempts = 16;

    private readonly IStore _store;
    private readonly WatchCache _cache;
    private readonly TimeProvider _time;
    private readonly Dictionary<ResourceType, ResourceStrategy> _strategies;

    public ObjectRegistry(IStore store, WatchCache cache, TimeProvider time, IEnumerable<ResourceStrategy> strategies)
    {
        _store = store;
        _cache = cache;
        _time = time;
        _strategies = ResourceCatalog.All.ToDictionary(rt => rt, rt => new ResourceStrategy(rt));
        foreach (var s in strategies) _strategies[s.Type] = s;
    }

    public WatchCache Cache => _cache;

    public ResourceStrategy StrategyFor(ResourceType rt) => _strategies[rt];

    /// <summary>The current version of an object, as of every write acknowledged before the call.</summary>
    public async Task<CachedObject> GetAsync(ResourceType rt, string? ns, string name, CancellationToken ct)
    {
        await _cache.WaitUntilFreshAsync(ct);
        return _cache.For(rt).Get(ObjectKeys.For(rt, ns, name)) ?? throw ApiException.NotFound(rt.Plural, name, rt.Group);
    }

    public async Task<CachedObject?> TryGetAsync(ResourceType rt, string? ns, string name, CancellationToken ct)
    {
        await _cache.WaitUntilFreshAsync(ct);
        return _cache.For(rt).Get(ObjectKeys.For(rt, ns, name));
    }

    /// <summary>Creates <paramref name="obj"/> in <paramref name="ns"/>; returns it as stored.</summary>
    public async Task<IKubernetesObject<V1ObjectMeta>> CreateAsync(
        ResourceType rt, string? ns, IKubernetesObject<V1ObjectMeta> obj, WriteOptions options, CancellationToken ct)
    {
        var meta = obj.Metadata ??= new V1ObjectMeta();
        if (rt.Namespaced)
        {
            if (!string.IsNullOrEmpty(meta.NamespaceProperty) && meta.NamespaceProperty != ns)
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            meta.NamespaceProperty = ns;
            await RequireActiveNamespaceAsync(rt, ns!, meta.Name ?? meta.GenerateName ?? "", ct);
        }
        else
        {
            meta.NamespaceProperty = null;
        }

        var generated = string.IsNullOrEmpty(meta.Name) && !string.IsNullOrEmpty(meta.GenerateName);
        for (var attempt = 1; ; attempt++)
        {
            if (generated) meta.Name = NameGenerator.Generate(meta.GenerateName!);
            var prepared = PrepareCreate(rt, obj, options);
            var strategy = _strategies[rt];
            if (options.DryRun) return prepared;
            var undo = await strategy.BeforeCreateAsync(prepared, ct);
            try
            {
                var revision = await _store.CreateAsync(ObjectKeys.For(rt, ns, prepared.Metadata.Name), ObjectCodec.Encode(rt, prepared), ct);
                prepared.Metadata.ResourceVersion = Rv(revision);
                return prepared;
            }
            catch (StorageException e) when (e.Code == StorageErrorCode.Exists)
            {
                if (undo is not null) await undo(CancellationToken.None);
                if (!generated || attempt >= MaxGenerateNameAttempts) throw ApiException.AlreadyExists(rt.Plural, prepared.Metadata.Name, rt.Group);
            }
            catch
            {
                if (undo is not null) await undo(CancellationToken.None);
                throw;
            }
        }
    }

    private IKubernetesObject<V1ObjectMeta> PrepareCreate(ResourceType rt, IKubernetesObject<V1ObjectMeta> input, WriteOptions options)
    {
        var json = ToJson(input);
        _strategies[rt].PrepareForCreate(input, json);
        var meta = (JsonObject)json["metadata"]!;
        meta.Remove("resourceVersion");
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Timestamp(_time.GetUtcNow());
        if (_strategies[rt].TracksGeneration) meta["generation"] = 1; else meta.Remove("generation");
        if (options.FieldManager != ApplyManagerMarker) meta.Remove("managedFields");
        var obj = FromJson(rt, json);
        ObjectDefaulter.Apply(rt, obj);
        if (!options.SkipValidation) Validate(rt, ObjectValidator.ValidateCreate(rt, obj), obj);
        return RecordManagedFields(rt, null, obj, options);
    }

    /// <summary>
    /// Reads the current object, lets <paramref name="mutate"/> produce the new version (it may run more than
    /// once when a concurrent write wins), and writes it if it changed. With <paramref name="allowCreate"/>,
    /// <paramref name="mutate"/> is called with null for a missing object and the result is created.
    /// </summary>
    public async Task<(IKubernetesObject<V1ObjectMeta> Object, bool Created)> UpdateAsync(
        ResourceType rt, string? ns, string name,
        Func<IKubernetesObject<V1ObjectMeta>?, IKubernetesObject<V1ObjectMeta>> mutate,
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
                fresh.Metadata ??= new V1ObjectMeta();
                if (string.IsNullOrEmpty(fresh.Metadata.Name)) fresh.Metadata.Name = name;
                if (fresh.Metadata.Name != name)
                    throw ApiException.BadRequest($"the name of the object ({fresh.Metadata.Name}) does not match the name on the URL ({name})");
                try
                {
                    return (await CreateAsync(rt, ns, fresh, options, ct), true);
                }
                catch (ApiException e) when (e.Reason == "AlreadyExists" && attempt < MaxUpdateAttempts)
                {
                    continue;
                }
            }

            var old = ObjectCodec.Clone(rt, current.Object);
            var wanted = mutate(ObjectCodec.Clone(rt, current.Object));
            wanted.Metadata ??= new V1ObjectMeta();
            if (wanted.Metadata.Name != name)
                throw ApiException.BadRequest($"the name of the object ({wanted.Metadata.Name}) does not match the name on the URL ({name})");
            if (rt.Namespaced && !string.IsNullOrEmpty(wanted.Metadata.NamespaceProperty) && wanted.Metadata.NamespaceProperty != ns)
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            // A uid in the new version is a precondition, as upstream: it names the incarnation meant.
            if (!string.IsNullOrEmpty(wanted.Metadata.Uid) && wanted.Metadata.Uid != current.Object.Metadata.Uid)
                throw ApiException.Conflict(rt.Plural, name, $"Precondition failed: UID in precondition: {wanted.Metadata.Uid}, UID in object meta: {current.Object.Metadata.Uid}", rt.Group);
            var wantedRv = wanted.Metadata.ResourceVersion;
            if (!string.IsNullOrEmpty(wantedRv) && wantedRv != Rv(current.Revision))
                throw ApiException.Conflict(rt.Plural, name, "the object has been modified; please apply your changes to the latest version and try again", rt.Group);
            if (string.IsNullOrEmpty(wantedRv) && !strategy.AllowUnconditionalUpdate)
                throw ApiException.Invalid(rt.Kind, name, $"{rt.Kind} \"{name}\" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update",
                    [new V1StatusCause { Reason = "FieldValueInvalid", Field = "metadata.resourceVersion", Message = "Invalid value: 0: must be specified for an update" }]);

            var updated = PrepareUpdate(rt, wanted, old, options);
            var before = ObjectCodec.Encode(rt, old);
            var after = ObjectCodec.Encode(rt, updated);
            if (before.AsSpan().SequenceEqual(after))
                return (current.Object, false);

            // The last finalizer is gone from an object being deleted: the update is its deletion.
            if (updated.Metadata.DeletionTimestamp is not null && IsFinalized(updated) && (updated.Metadata.DeletionGracePeriodSeconds ?? 0) == 0)
            {
                if (options.DryRun) return (updated, false);
                try
                {
                    var rev = await _store.DeleteAsync(key, current.Revision, ct);
                    await strategy.AfterDeleteAsync(old, ct);
                    updated.Metadata.ResourceVersion = Rv(rev);
                    return (updated, false);
                }
                catch (StorageException e) when (e.Code is StorageErrorCode.Conflict or StorageErrorCode.NotFound && attempt < MaxUpdateAttempts)
                {
                    continue;
                }
            }

            if (options.DryRun) return (updated, false);
            var undo = await strategy.BeforeUpdateAsync(updated, old, ct);
            try
            {
                var revision = await _store.UpdateAsync(key, ObjectCodec.Encode(rt, updated), current.Revision, ct);
                updated.Metadata.ResourceVersion = Rv(revision);
                await strategy.AfterUpdateAsync(updated, old, ct);
                return (updated, false);
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

    private IKubernetesObject<V1ObjectMeta> PrepareUpdate(ResourceType rt, IKubernetesObject<V1ObjectMeta> wanted, IKubernetesObject<V1ObjectMeta> old, WriteOptions options)
    {
        var strategy = _strategies[rt];
        var oldJson = ToJson(old);
        var json = strategy.PrepareForUpdate(ToJson(wanted), oldJson, options.Subresource);
        var meta = (JsonObject)json["metadata"]!;
        var oldMeta = (JsonObject)oldJson["metadata"]!;
        // Fields only the server sets.
        foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name" })
            meta[field] = oldMeta[field]?.DeepClone();
        // A client that sends no managedFields keeps the recorded ones (upstream resets them only when asked).
        if (meta["managedFields"] is null) meta["managedFields"] = oldMeta["managedFields"]?.DeepClone();
        if (options.Subresource != "status" && strategy.TracksGeneration && !JsonNode.DeepEquals(json["spec"], oldJson["spec"]))
            meta["generation"] = (oldMeta["generation"]?.GetValue<long>() ?? 0) + 1;
        var obj = FromJson(rt, json);
        ObjectDefaulter.Apply(rt, obj);
        // A binding may set spec.nodeName, which pod updates otherwise may not change.
        if (options.Subresource != "binding" && !options.SkipValidation) Validate(rt, ObjectValidator.ValidateUpdate(rt, obj, old), obj);
        return RecordManagedFields(rt, old, obj, options);
    }

    private IKubernetesObject<V1ObjectMeta> RecordManagedFields(ResourceType rt, IKubernetesObject<V1ObjectMeta>? old, IKubernetesObject<V1ObjectMeta> obj, WriteOptions options)
    {
        if (options.FieldManager == ApplyManagerMarker) return obj;
        var rv = obj.Metadata.ResourceVersion;
        var json = ManagedFields.RecordUpdate(old is null ? null : ToJson(old), ToJson(obj), options.FieldManager, "Update",
            rt.ApiVersion, _time.GetUtcNow(), options.Subresource, rt.ClrType);
        var result = FromJson(rt, json);
        result.Metadata.ResourceVersion = rv;
        return result;
    }

    /// <summary>A field manager that means "managedFields were already set by server-side apply".</summary>
    internal const string ApplyManagerMarker = "\0apply";

    private async Task RequireActiveNamespaceAsync(ResourceType rt, string ns, string name, CancellationToken ct)
    {
        var nsObj = await TryGetAsync(ResourceCatalog.Namespaces, null, ns, ct);
        if (nsObj is null) throw ApiException.NotFound("namespaces", ns);
        if (nsObj.Object.Metadata.DeletionTimestamp is not null)
            throw ApiException.Forbidden($"{rt.Plural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
    }

    private static void Validate(ResourceType rt, IReadOnlyList<FieldError> errors, IKubernetesObject<V1ObjectMeta> obj)
    {
        if (errors.Count == 0) return;
        var name = obj.Metadata.Name ?? "";
        throw ApiException.Invalid(rt.Kind, name, ObjectValidator.InvalidMessage(rt.Kind, name, errors),
            errors.Select(e => new V1StatusCause { Reason = e.Reason, Field = e.Field, Message = e.Message[(e.Field.Length > 0 ? e.Field.Length + 2 : 0)..] }),
            rt.Group);
    }

    internal static JsonObject ToJson(IKubernetesObject<V1ObjectMeta> obj) =>
        JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject();

    internal static IKubernetesObject<V1ObjectMeta> FromJson(ResourceType rt, JsonObject json)
    {
        json["apiVersion"] = rt.ApiVersion;
        json["kind"] = rt.Kind;
        var obj = rt.Decode(json.ToJsonString());
        obj.Metadata ??= new V1ObjectMeta();
        return obj;
    }

    internal static string Rv(long revision) => revision.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
