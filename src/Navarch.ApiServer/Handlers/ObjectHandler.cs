using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Filters;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Storage;
using Navarch.ApiServer.Watching;

namespace Navarch.ApiServer.Handlers;

/// <summary>GET, POST, PUT and DELETE of single objects and their status subresource.</summary>
public sealed class ObjectHandler(ObjectRegistry registry, TimeProvider time)
{
    public async Task GetAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var obj = await registry.GetAsync(info.Resource, info.Namespace, info.Name!, ctx.RequestAborted);
        await WriteObjectAsync(ctx, 200, info.Resource, obj.Object, q, obj);
    }

    public async Task CreateAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var warnings = new List<string>();
        var node = await RequestBodyReader.ReadNodeAsync(ctx.Request, ctx.RequestAborted);
        var json = RequestBody.Check(info.Resource, node, q.FieldValidation, warnings);
        var created = await registry.CreateJsonAsync(info.Resource, info.Namespace, json, Options(ctx, q, null), ctx.RequestAborted);
        Responses.AddWarnings(ctx, warnings);
        await WriteResultAsync(ctx, 201, info.Resource, created, q);
    }

    public async Task UpdateAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var rt = info.Resource;
        var warnings = new List<string>();
        var node = await RequestBodyReader.ReadNodeAsync(ctx.Request, ctx.RequestAborted);
        var wanted = RequestBody.Check(rt, node, q.FieldValidation, warnings);
        var strategy = registry.StrategyFor(rt);
        // A copy per attempt: the registry changes what it is given.
        var result = await registry.UpdateJsonAsync(rt, info.Namespace, info.Name!,
            _ => (JsonObject)wanted.DeepClone(), Options(ctx, q, info.Subresource), strategy.AllowCreateOnUpdate && info.Subresource is null, ctx.RequestAborted);
        Responses.AddWarnings(ctx, warnings);
        await WriteResultAsync(ctx, result.Created ? 201 : 200, rt, result, q);
    }

    public async Task DeleteAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var rt = info.Resource;
        var options = await ReadDeleteOptionsAsync(ctx, q);
        var result = await registry.DeleteAsync(rt, info.Namespace, info.Name!, options, q.DryRun, ctx.RequestAborted, Options(ctx, q, null));
        // Upstream answers with the object while it waits (graceful deletion, finalizers) and for kinds whose
        // stores set ReturnDeletedObject (clients decode a V1Pod/V1Service); otherwise with a Success Status.
        if (!result.Deleted || rt.Definition.ReturnsDeletedObject)
        {
            await WriteObjectAsync(ctx, 200, rt, result.Object, q);
            return;
        }
        await Responses.WriteStatusAsync(ctx, 200, new V1Status
        {
            ApiVersion = "v1", Kind = "Status", Metadata = new V1ListMeta(), Status = "Success",
            Details = new V1StatusDetails { Name = info.Name, Group = rt.Group.Length > 0 ? rt.Group : null, Kind = rt.Plural, Uid = result.Object.Metadata.Uid },
        });
    }

    /// <summary>DELETE of a collection: every matching object, one by one, answered with the list of what was deleted.</summary>
    public async Task DeleteCollectionAsync(HttpContext ctx, RequestInfo info, QueryOptions q)
    {
        var rt = info.Resource;
        var options = await ReadDeleteOptionsAsync(ctx, q);
        var filter = new ObjectFilter(rt, info.Namespace, q.LabelSelector, q.FieldSelector);
        await registry.Cache.WaitUntilFreshAsync(ctx.RequestAborted);
        var (objects, _) = registry.Cache.Snapshot(rt);
        var deleted = new JsonArray();
        foreach (var o in objects.Values.Where(filter.Matches).ToList())
        {
            try
            {
                var r = await registry.DeleteAsync(rt, o.Namespace, o.Name, options, q.DryRun, ctx.RequestAborted, Options(ctx, q, null));
                deleted.Add(ObjectCodec.ToNode(r.Object));
            }
            catch (ApiException e) when (e.Code == 404)
            {
            }
        }
        var list = new JsonObject
        {
            ["kind"] = rt.ListKind, ["apiVersion"] = rt.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = registry.Cache.ProcessedRevision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["items"] = deleted,
        };
        await Responses.WriteJsonAsync(ctx, 200, list);
    }

    internal static WriteOptions Options(HttpContext ctx, QueryOptions q, string? subresource)
    {
        var manager = q.FieldManager ?? DefaultManager(ctx.Request.Headers.UserAgent.ToString());
        return new WriteOptions(manager, subresource, q.DryRun) { Admission = AdmissionOf(ctx) };
    }

    /// <summary>
    /// The request as admission sees it: its user, the URL's subresource (the scale subresource writes the object
    /// itself, but plugins see "scale"), and warnings written to the response at once, so that they reach the client
    /// also when a later step fails.
    /// </summary>
    private static AdmissionRequest? AdmissionOf(HttpContext ctx) =>
        ctx.User() is { } user
            ? new AdmissionRequest(user, (ctx.Items[typeof(RequestInfo)] as RequestInfo)?.Subresource ?? "", warning => Responses.AddWarnings(ctx, [warning]))
            : null;

    /// <summary>Upstream's default field manager: the user agent up to the first '/'.</summary>
    private static string DefaultManager(string userAgent)
    {
        var slash = userAgent.IndexOf('/');
        var name = slash > 0 ? userAgent[..slash] : userAgent;
        return name.Length == 0 ? "unknown" : name.Length > 128 ? name[..128] : name;
    }

    private static async Task<V1DeleteOptions> ReadDeleteOptionsAsync(HttpContext ctx, QueryOptions q)
    {
        var options = new V1DeleteOptions();
        var text = await RequestBodyReader.ReadTextAsync(ctx.Request, ctx.RequestAborted);
        if (!string.IsNullOrWhiteSpace(text))
            options = RequestBody.DecodeAs<V1DeleteOptions>(text, "DeleteOptions") ?? options;
        options.GracePeriodSeconds = q.GracePeriodSeconds ?? options.GracePeriodSeconds;
        options.PropagationPolicy = q.PropagationPolicy ?? options.PropagationPolicy;
        options.OrphanDependents = q.OrphanDependents ?? options.OrphanDependents;
        if (options.PropagationPolicy is not (null or "Orphan" or "Background" or "Foreground"))
            throw ApiException.Invalid("DeleteOptions", "", $"propagationPolicy: Unsupported value: \"{options.PropagationPolicy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                [new V1StatusCause { Reason = "FieldValueNotSupported", Field = "propagationPolicy", Message = $"Unsupported value: \"{options.PropagationPolicy}\"" }]);
        return options;
    }

    /// <summary>Writes the outcome of a write: the stored bytes when there are some, else the object serialized.</summary>
    internal Task WriteResultAsync(HttpContext ctx, int code, ResourceType rt, WriteResult result, QueryOptions q) =>
        result.Json is not null && !MediaTypes.WantsTable(ctx.Request)
            ? Responses.WriteBytesAsync(ctx, code, result.Json)
            : WriteObjectAsync(ctx, code, rt, result.Object, q);

    /// <summary>Writes one object as JSON, or as a one-row Table when the client asked for Tables.</summary>
    internal async Task WriteObjectAsync(HttpContext ctx, int code, ResourceType rt, IKubernetesObject<V1ObjectMeta> obj, QueryOptions q, CachedObject? cached = null)
    {
        if (MediaTypes.WantsTable(ctx.Request))
        {
            var table = TablePrinter.Print(rt, [obj], time.GetUtcNow(), IncludeObjectMode.From(q.IncludeObject), withColumnDefinitions: true);
            table["metadata"] = new JsonObject { ["resourceVersion"] = obj.Metadata.ResourceVersion };
            await Responses.WriteJsonAsync(ctx, code, table);
            return;
        }
        obj.ApiVersion = rt.ApiVersion;
        obj.Kind = rt.Kind;
        if (cached is not null) await Responses.WriteBytesAsync(ctx, code, cached.Json);
        else await Responses.WriteObjectAsync(ctx, code, obj);
    }
}
