using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Patching;
using Navarch.Api.Resources;
using Navarch.Api.Schema;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>PATCH in the four content types upstream accepts, on objects and their status subresource.</summary>
public sealed class PatchHandler(ObjectRegistry registry, ObjectHandler objects, TimeProvider time)
{
    public async Task HandleAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var rt = info.Resource;
        var contentType = MediaTypes.ContentType(ctx.Request);
        if (contentType is not (MediaTypes.JsonPatch or MediaTypes.MergePatch or MediaTypes.StrategicMergePatch or MediaTypes.ApplyPatch))
            throw ApiException.UnsupportedMediaType(contentType);
        var patch = RequestBody.ParseNode(await RequestBodyReader.ReadTextAsync(ctx.Request, ctx.RequestAborted), MediaTypes.IsYaml(contentType));
        var warnings = new List<string>();
        var options = ObjectHandler.Options(ctx, q, info.Subresource);

        if (contentType == MediaTypes.ApplyPatch)
        {
            if (q.FieldManager is null)
                throw ApiException.BadRequest("PATCH, application/apply-patch+yaml requires fieldManager to be set");
            if (patch is not JsonObject applied) throw ApiException.BadRequest("the apply configuration must be an object");
            // Validate the configuration itself (kind, unknown fields) before merging it.
            RequestBody.Decode(rt, applied.DeepClone(), q.FieldValidation, warnings);
            var applyOptions = options with { FieldManager = ObjectRegistry.ApplyManagerMarker };
            var applyResult = await registry.UpdateJsonAsync(rt, info.Namespace, info.Name!, live =>
            {
                var result = Guard(() => new ServerSideApply().Apply(live, (JsonObject)applied.DeepClone(), q.FieldManager, q.Force, rt.ClrType, time.GetUtcNow()));
                var merged = result.Object;
                if (live is not null) ((JsonObject)merged["metadata"]!)["resourceVersion"] = null;
                merged["apiVersion"] = rt.ApiVersion;
                merged["kind"] = rt.Kind;
                return merged;
            }, applyOptions, allowCreate: info.Subresource is null, ctx.RequestAborted);
            Responses.AddWarnings(ctx, warnings);
            await objects.WriteResultAsync(ctx, applyResult.Created ? 201 : 200, rt, applyResult, q);
            return;
        }

        var patchResult = await registry.UpdateJsonAsync(rt, info.Namespace, info.Name!, current =>
        {
            var live = current!;
            var patched = Guard(() => contentType switch
            {
                MediaTypes.JsonPatch => JsonPatch.Apply(live, patch),
                MediaTypes.MergePatch => MergePatch.Apply(live, patch),
                _ => StrategicMergePatch.Apply(live, patch, rt.ClrType),
            });
            if (patched is not JsonObject patchedObject) throw ApiException.BadRequest("the patch produced something other than an object");
            if (q.FieldValidation != "Ignore" && contentType != MediaTypes.JsonPatch)
            {
                var unknown = UnknownFields.Find(patchedObject, rt.ClrType);
                if (unknown.Count > 0 && q.FieldValidation == "Strict") throw ApiException.BadRequest(UnknownFields.StrictError(unknown, rt.Kind, rt.Version));
                warnings.AddRange(UnknownFields.Warnings(unknown));
            }
            return RequestBody.Check(rt, patchedObject, "Ignore", warnings);
        }, options, allowCreate: false, ctx.RequestAborted);
        Responses.AddWarnings(ctx, warnings);
        await objects.WriteResultAsync(ctx, 200, rt, patchResult, q);
    }

    private static T Guard<T>(Func<T> apply)
    {
        try
        {
            return apply();
        }
        catch (PatchException e)
        {
            throw ApiException.Patch(e);
        }
    }
}
