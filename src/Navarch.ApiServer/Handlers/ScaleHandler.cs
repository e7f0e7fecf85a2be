using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Patching;
using Navarch.Api.Selectors;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>The <c>scale</c> subresource of ReplicationControllers: an autoscaling/v1 Scale over spec.replicas.</summary>
public sealed class ScaleHandler(ObjectRegistry registry)
{
    public async Task GetAsync(HttpContext ctx, RequestInfo info)
    {
        var rc = (V1ReplicationController)(await registry.GetAsync(info.Resource, info.Namespace, info.Name!, ctx.RequestAborted)).Object;
        await Responses.WriteObjectAsync(ctx, 200, ToScale(rc));
    }

    /// <summary>PUT (a Scale body) or PATCH (merge/json/strategic patch of the Scale).</summary>
    public async Task UpdateAsync(HttpContext ctx, RequestInfo info, QueryOptions q, bool isPatch)
    {
        var contentType = MediaTypes.ContentType(ctx.Request);
        if (isPatch && contentType is not (MediaTypes.JsonPatch or MediaTypes.MergePatch or MediaTypes.StrategicMergePatch))
            throw ApiException.UnsupportedMediaType(contentType);
        var body = RequestBody.ParseNode(await RequestBodyReader.ReadTextAsync(ctx.Request, ctx.RequestAborted), MediaTypes.IsYaml(contentType));
        V1Scale? result = null;
        var (obj, _) = await registry.UpdateAsync(info.Resource, info.Namespace, info.Name!, current =>
        {
            var rc = (V1ReplicationController)current!;
            var scale = JsonNode.Parse(KubernetesJson.Serialize(ToScale(rc)))!;
            JsonNode wanted;
            try
            {
                wanted = !isPatch ? body : contentType switch
                {
                    MediaTypes.JsonPatch => JsonPatch.Apply(scale, body),
                    _ => MergePatch.Apply(scale, body),
                };
            }
            catch (PatchException e)
            {
                throw ApiException.Patch(e);
            }
            var parsed = RequestBody.DecodeAs<V1Scale>(wanted.ToJsonString(), "a Scale");
            var replicas = parsed?.Spec?.Replicas ?? 0;
            if (replicas < 0)
                throw ApiException.Invalid("Scale", info.Name!, $"Scale.autoscaling \"{info.Name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0",
                    [new V1StatusCause { Reason = "FieldValueInvalid", Field = "spec.replicas", Message = $"Invalid value: {replicas}: must be greater than or equal to 0" }], "autoscaling");
            if (parsed?.Metadata?.ResourceVersion is { Length: > 0 } rv && rv != rc.Metadata.ResourceVersion)
                throw ApiException.Conflict("replicationcontrollers", info.Name!, "the object has been modified; please apply your changes to the latest version and try again");
            rc.Spec ??= new V1ReplicationControllerSpec();
            rc.Spec.Replicas = replicas;
            rc.Metadata.ResourceVersion = null;
            return rc;
        }, ObjectHandler.Options(ctx, q, null) , allowCreate: false, ctx.RequestAborted);
        result = ToScale((V1ReplicationController)obj);
        await Responses.WriteObjectAsync(ctx, 200, result);
    }

    private static V1Scale ToScale(V1ReplicationController rc) => new()
    {
        ApiVersion = "autoscaling/v1",
        Kind = "Scale",
        Metadata = new V1ObjectMeta
        {
            Name = rc.Metadata.Name,
            NamespaceProperty = rc.Metadata.NamespaceProperty,
            Uid = rc.Metadata.Uid,
            ResourceVersion = rc.Metadata.ResourceVersion,
            CreationTimestamp = rc.Metadata.CreationTimestamp,
        },
        Spec = new V1ScaleSpec { Replicas = rc.Spec?.Replicas ?? 0 },
        Status = new V1ScaleStatus
        {
            Replicas = rc.Status?.Replicas ?? 0,
            Selector = LabelSelector.FromSet(rc.Spec?.Selector).ToString(),
        },
    };
}
