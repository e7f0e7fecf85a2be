using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Naming;
using Navarch.Api.Resources;
using Navarch.Api.Validation;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Storage;
using Navarch.Storage;

namespace Navarch.ApiServer.Registry;

public sealed partial class ObjectRegistry
{
    /// <summary>Creates <paramref name="obj"/> in <paramref name="ns"/>; returns it as stored.</summary>
    public async Task<IKubernetesObject<V1ObjectMeta>> CreateAsync(
        ResourceType rt, string? ns, IKubernetesObject<V1ObjectMeta> obj, WriteOptions options, CancellationToken ct)
    {
        obj.ApiVersion = rt.ApiVersion;
        obj.Kind = rt.Kind;
        return (await CreateJsonAsync(rt, ns, ObjectCodec.ToNode(obj), options, ct)).Object;
    }

    /// <summary>
    /// Creates the object <paramref name="json"/> holds (a request body that passed <see cref="RequestBody.Check"/>)
    /// in <paramref name="ns"/>. The registry takes <paramref name="json"/> over and changes it. Metadata is stamped
    /// on the JSON, which is decoded once for defaulting and validation; the stored bytes are also the answer.
    /// </summary>
    public async Task<WriteResult> CreateJsonAsync(ResourceType rt, string? ns, JsonObject json, WriteOptions options, CancellationToken ct)
    {
        var meta = MetadataOf(rt, json);
        var name = MetadataString(rt, json, meta, "name");
        var generateName = MetadataString(rt, json, meta, "generateName");
        if (rt.Namespaced)
        {
            var requested = MetadataString(rt, json, meta, "namespace");
            if (!string.IsNullOrEmpty(requested) && requested != ns)
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }

        var generated = string.IsNullOrEmpty(name) && !string.IsNullOrEmpty(generateName);
        var strategy = _strategies[rt];
        for (var attempt = 1; ; attempt++)
        {
            if (generated) meta["name"] = NameGenerator.Generate(generateName!);
            var prepared = await PrepareCreateAsync(rt, ns, generated ? generateName! : name ?? "", json, options, ct);
            if (options.DryRun) return new WriteResult(prepared, null, true);
            var undo = await strategy.BeforeCreateAsync(prepared, ct);
            try
            {
                var value = ObjectCodec.Encode(rt, prepared);
                var revision = await _store.CreateAsync(ObjectKeys.For(rt, ns, prepared.Metadata.Name), value, ct);
                prepared.Metadata.ResourceVersion = Rv(revision);
                return new WriteResult(prepared, ObjectCodec.WithResourceVersion(value, revision), true);
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

    /// <summary>Stamps what the server sets on create, then decodes, defaults, admits and validates, and records managedFields.</summary>
    private async Task<IKubernetesObject<V1ObjectMeta>> PrepareCreateAsync(ResourceType rt, string? ns, string name, JsonObject json, WriteOptions options, CancellationToken ct)
    {
        var strategy = _strategies[rt];
        strategy.PrepareForCreate(json);
        var meta = (JsonObject)json["metadata"]!;
        meta.Remove("resourceVersion");
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Timestamp(_time.GetUtcNow());
        if (strategy.TracksGeneration) meta["generation"] = 1; else meta.Remove("generation");
        if (options.FieldManager != ApplyManagerMarker) meta.Remove("managedFields");
        json["apiVersion"] = rt.ApiVersion;
        json["kind"] = rt.Kind;

        var obj = RequestBody.DecodeChecked(rt, json);
        ObjectDefaulter.Apply(rt, obj);
        await AdmitAsync(AdmissionOperation.Create, rt, ns, name, obj, null, options,
            () => { if (!options.SkipValidation) Validate(rt, ObjectValidator.ValidateCreate(rt, obj), obj); }, ct);
        // managedFields describe the defaulted object, as upstream's (its decoder defaults before the field manager runs).
        if (options.FieldManager != ApplyManagerMarker) RecordManagedFields(rt, null, obj, ObjectCodec.ToNode(obj), options);
        return obj;
    }
}
