using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Kinds;
using Navarch.Api.Patching;
using Navarch.Api.Resources;
using Navarch.Api.Selectors;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// The <c>scale</c> subresource of every kind that declares one (<see cref="KindDefinition.Scale"/>): an
/// autoscaling/v1 Scale read from and written to the paths the kind names.
/// </summary>
public sealed class ScaleHandler(ObjectRegistry registry)
{
    public async Task GetAsync(HttpContext ctx, RequestInfo info)
    {
        var current = await registry.GetAsync(info.Resource, info.Namespace, info.Name!, ctx.RequestAborted);
        await Responses.WriteObjectAsync(ctx, 200, ToScale(info.Resource, (JsonObject)JsonNode.Parse(current.Json)!));
    }

    /// <summary>PUT (a Scale body) or PATCH (merge/json/strategic patch of the Scale).</summary>
    public async Task UpdateAsync(HttpContext ctx, RequestInfo info, QueryOptions q, bool isPatch)
    {
        var rt = info.Resource;
        var paths = ScaleOf(rt);
        var contentType = MediaTypes.ContentType(ctx.Request);
        if (isPatch && contentType is not (MediaTypes.JsonPatch or MediaTypes.MergePatch or MediaTypes.StrategicMergePatch))
            throw ApiException.UnsupportedMediaType(contentType);
        var body = RequestBody.ParseNode(await RequestBody.ReadTextAsync(ctx.Request, ctx.RequestAborted), contentType);
        var result = await registry.UpdateJsonAsync(rt, info.Namespace, info.Name!, current =>
        {
            var scale = JsonNode.Parse(KubernetesJson.Serialize(ToScale(rt, current!)))!;
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
                throw e.Kind == PatchErrorKind.BadRequest ? ApiException.BadRequest(e.Message) : new ApiException(422, "Invalid", e.Message);
            }
            var parsed = KubernetesJson.Deserialize<V1Scale>(wanted.ToJsonString());
            var replicas = parsed?.Spec?.Replicas ?? 0;
            if (replicas < 0)
                throw ApiException.Invalid("Scale", info.Name!, $"Scale.autoscaling \"{info.Name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0",
                    [new V1StatusCause { Reason = "FieldValueInvalid", Field = "spec.replicas", Message = $"Invalid value: {replicas}: must be greater than or equal to 0" }], "autoscaling");
            if (parsed?.Metadata?.ResourceVersion is { Length: > 0 } rv && rv != current!["metadata"]?["resourceVersion"]?.GetValue<string>())
                throw ApiException.Conflict(rt.Plural, info.Name!, "the object has been modified; please apply your changes to the latest version and try again", rt.Group);
            JsonPaths.Set(current!, paths.SpecReplicasPath, replicas);
            return current!;
        }, ObjectHandler.Options(ctx, q, null), allowCreate: false, ctx.RequestAborted);
        var updated = result.Json is not null ? (JsonObject)JsonNode.Parse(result.Json)! : ObjectRegistry.ToJson(result.Object);
        await Responses.WriteObjectAsync(ctx, 200, ToScale(rt, updated));
    }

    private static ScaleSubresource ScaleOf(ResourceType rt) =>
        rt.Definition.Scale ?? throw new InvalidOperationException($"{rt} lists a scale subresource but its kind declares none");

    private static V1Scale ToScale(ResourceType rt, JsonObject obj)
    {
        var paths = ScaleOf(rt);
        var meta = obj["metadata"] is JsonObject m ? KubernetesJson.Deserialize<V1ObjectMeta>(m.ToJsonString()) : new V1ObjectMeta();
        return new V1Scale
        {
            ApiVersion = "autoscaling/v1",
            Kind = "Scale",
            Metadata = new V1ObjectMeta
            {
                Name = meta.Name,
                NamespaceProperty = meta.NamespaceProperty,
                Uid = meta.Uid,
                ResourceVersion = meta.ResourceVersion,
                CreationTimestamp = meta.CreationTimestamp,
            },
            Spec = new V1ScaleSpec { Replicas = Int(JsonPaths.Get(obj, paths.SpecReplicasPath)) },
            Status = new V1ScaleStatus
            {
                Replicas = Int(JsonPaths.Get(obj, paths.StatusReplicasPath)),
                Selector = SelectorText(JsonPaths.Get(obj, paths.SelectorPath)),
            },
        };
    }

    private static int Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;

    /// <summary>A selector as text: a string as it is, a label map (all values strings) or a LabelSelector formatted as upstream.</summary>
    private static string SelectorText(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        JsonObject map when map.All(p => p.Value is JsonValue value && value.TryGetValue<string>(out _)) =>
            LabelSelector.FromSet(map.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>())).ToString(),
        JsonObject selector => LabelSelector.FromLabelSelector(KubernetesJson.Deserialize<V1LabelSelector>(selector.ToJsonString())).ToString(),
        _ => "",
    };
}
