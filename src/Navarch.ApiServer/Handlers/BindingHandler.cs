using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Resources;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Handlers;

/// <summary>POST pods/{name}/binding: the scheduler's one way to set spec.nodeName, once.</summary>
public sealed class BindingHandler(ObjectRegistry registry, TimeProvider time)
{
    public async Task HandleAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var text = await RequestBodyReader.ReadTextAsync(ctx.Request, ctx.RequestAborted);
        var binding = RequestBody.DecodeAs<V1Binding>(text, "a Binding");
        var node = binding?.Target?.Name;
        if (string.IsNullOrEmpty(node))
            throw ApiException.Invalid("Binding", info.Name!, $"Binding \"{info.Name}\" is invalid: target.name: Required value",
                [new V1StatusCause { Reason = "FieldValueRequired", Field = "target.name", Message = "Required value" }]);
        if (binding!.Metadata?.Name is { Length: > 0 } bound && bound != info.Name)
            throw ApiException.BadRequest($"the name of the object ({bound}) does not match the name on the URL ({info.Name})");

        await registry.UpdateAsync(ResourceCatalog.Pods, info.Namespace, info.Name!, current =>
        {
            var pod = (V1Pod)current!;
            if (pod.Metadata.DeletionTimestamp is not null)
                throw ApiException.Conflict("pods", info.Name!, "pod is being deleted, cannot be assigned to a host");
            if (!string.IsNullOrEmpty(pod.Spec.NodeName))
                throw ApiException.Conflict("pods", info.Name!, $"pod {info.Name} is already assigned to node \"{pod.Spec.NodeName}\"");
            pod.Spec.NodeName = node;
            pod.Status ??= new V1PodStatus();
            var conditions = pod.Status.Conditions?.Where(c => c.Type != "PodScheduled").ToList() ?? [];
            conditions.Add(new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = time.GetUtcNow().UtcDateTime });
            pod.Status.Conditions = conditions;
            pod.Metadata.ResourceVersion = null;
            return pod;
        }, ObjectHandler.Options(ctx, q, "binding"), allowCreate: false, ctx.RequestAborted);

        await Responses.WriteStatusAsync(ctx, 201, new V1Status { ApiVersion = "v1", Kind = "Status", Metadata = new V1ListMeta(), Status = "Success", Code = 201 });
    }
}
