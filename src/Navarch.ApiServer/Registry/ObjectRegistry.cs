using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Patching;
using Navarch.Api.Resources;
using Navarch.Api.Validation;
using Navarch.ApiServer.Admission;
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
    private readonly AdmissionChain _admission;

    public ObjectRegistry(IStore store, WatchCache cache, TimeProvider time, IEnumerable<ResourceStrategy> strategies, AdmissionChain? admission = null)
    {
        _store = store;
        _cache = cache;
        _time = time;
        _admission = admission ?? AdmissionChain.Empty;
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

    /// <summary>A field manager that means "managedFields were already set by server-side apply".</summary>
    internal const string ApplyManagerMarker = "\0apply";

    /// <summary>
    /// Runs the mutating plugins on a write (when it came through the API), then <paramref name="validate"/> (the kind's
    /// own validation), then the validating plugins: upstream's order around its strategies.
    /// </summary>
    private async Task AdmitAsync(AdmissionOperation operation, ResourceType rt, string? ns, string name,
        IKubernetesObject<V1ObjectMeta>? obj, IKubernetesObject<V1ObjectMeta>? old, WriteOptions options, Action validate, CancellationToken ct)
    {
        if (options.Admission is not { } request)
        {
            validate();
            return;
        }
        var attributes = new AdmissionAttributes(operation, rt, ns, name, obj, old, request, options.DryRun);
        await _admission.AdmitAsync(attributes, ct);
        validate();
        await _admission.ValidateAsync(attributes, ct);
    }

    private static void Validate(ResourceType rt, IReadOnlyList<FieldError> errors, IKubernetesObject<V1ObjectMeta> obj)
    {
        if (errors.Count == 0) return;
        var name = obj.Metadata.Name ?? "";
        throw ApiException.Invalid(rt.Kind, name, ObjectValidator.InvalidMessage(rt.Kind, name, errors),
            errors.Select(e => new V1StatusCause { Reason = e.Reason, Field = e.Field, Message = e.Message[(e.Field.Length > 0 ? e.Field.Length + 2 : 0)..] }),
            rt.Group);
    }

    internal static JsonObject ToJson(IKubernetesObject<V1ObjectMeta> obj) => ObjectCodec.ToNode(obj);

    internal static IKubernetesObject<V1ObjectMeta> FromJson(ResourceType rt, JsonObject json)
    {
        json["apiVersion"] = rt.ApiVersion;
        json["kind"] = rt.Kind;
        return ObjectCodec.DecodeNode(rt, json);
    }

    /// <summary>
    /// The metadata object of a written object's JSON, added when absent. Anything else than an object there is
    /// the client's error, answered as decoding would answer it.
    /// </summary>
    private static JsonObject MetadataOf(ResourceType rt, JsonObject json)
    {
        switch (json["metadata"])
        {
            case JsonObject meta:
                return meta;
            case null:
                var added = new JsonObject();
                json["metadata"] = added;
                return added;
            default:
                RequestBody.DecodeChecked(rt, json);
                throw ApiException.BadRequest($"{rt.Kind} in version \"{rt.Version}\" cannot be handled as a {rt.Kind}: metadata must be an object");
        }
    }

    /// <summary>A string field of metadata; a value of another type is the client's error, answered as decoding would answer it.</summary>
    private static string? MetadataString(ResourceType rt, JsonObject json, JsonObject meta, string field)
    {
        switch (meta[field])
        {
            case null:
                return null;
            case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String:
                return value.GetValue<string>();
            default:
                RequestBody.DecodeChecked(rt, json);
                throw ApiException.BadRequest($"{rt.Kind} in version \"{rt.Version}\" cannot be handled as a {rt.Kind}: metadata.{field} must be a string");
        }
    }

    /// <summary>Records <paramref name="options"/>' manager in the managedFields of <paramref name="node"/> and of <paramref name="obj"/>.</summary>
    private void RecordManagedFields(ResourceType rt, JsonObject? old, IKubernetesObject<V1ObjectMeta> obj, JsonObject node, WriteOptions options)
    {
        if (options.FieldManager == ApplyManagerMarker) return;
        ManagedFields.Record(old, node, options.FieldManager, "Update", rt.ApiVersion, _time.GetUtcNow(), options.Subresource, rt.ClrType);
        obj.Metadata.ManagedFields = TypedManagedFields(node["metadata"]?["managedFields"] as JsonArray);
    }

    /// <summary>
    /// The models of managedFields entries as <see cref="ManagedFields"/> writes them (string fields, RFC 3339 times),
    /// built directly: decoding them through the serializer was a tenth of an update's cost.
    /// </summary>
    private static List<V1ManagedFieldsEntry>? TypedManagedFields(JsonArray? entries)
    {
        if (entries is null) return null;
        var result = new List<V1ManagedFieldsEntry>(entries.Count);
        foreach (var node in entries)
        {
            if (node is not JsonObject entry) continue;
            result.Add(new V1ManagedFieldsEntry
            {
                Manager = Text(entry, "manager"),
                Operation = Text(entry, "operation"),
                ApiVersion = Text(entry, "apiVersion"),
                Time = DateTime.TryParse(Text(entry, "time"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time) ? time : null,
                FieldsType = Text(entry, "fieldsType"),
                FieldsV1 = entry["fieldsV1"],
                Subresource = Text(entry, "subresource"),
            });
        }
        return result;
    }

    private static string? Text(JsonObject obj, string name) =>
        obj[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    internal static string Rv(long revision) => revision.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
