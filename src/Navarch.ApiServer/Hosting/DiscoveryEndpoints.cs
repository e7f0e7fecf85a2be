using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Navarch.Api.Discovery;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Hosting;

/// <summary>Discovery, version and OpenAPI endpoints: what kubectl reads before anything else.</summary>
public static class DiscoveryEndpoints
{
    public static void Map(IEndpointRouteBuilder app, string serverAddress)
    {
        app.MapGet("/api", ctx => Responses.WriteJsonAsync(ctx, 200, DiscoveryDocuments.ApiVersions(serverAddress)));
        app.MapGet("/api/v1", ctx => Responses.WriteJsonAsync(ctx, 200, DiscoveryDocuments.CoreResources()));
        app.MapGet("/apis", ctx => Responses.WriteJsonAsync(ctx, 200, DiscoveryDocuments.GroupList()));
        app.MapGet("/apis/{group}", (HttpContext ctx, string group) =>
            DiscoveryDocuments.Group(group) is { } doc ? Responses.WriteJsonAsync(ctx, 200, doc) : NotFound(ctx));
        app.MapGet("/apis/{group}/{version}", (HttpContext ctx, string group, string version) =>
            DiscoveryDocuments.GroupResources(group, version) is { } doc ? Responses.WriteJsonAsync(ctx, 200, doc) : NotFound(ctx));
        app.MapGet("/version", ctx => Responses.WriteJsonAsync(ctx, 200, VersionInfo.Get()));
        app.MapGet("/openapi/v3", ctx => Responses.WriteJsonAsync(ctx, 200, OpenApiV3.Root()));
        app.MapGet("/openapi/v3/{**path}", (HttpContext ctx, string path) =>
            OpenApiV3.GroupVersion(path) is { } doc ? Responses.WriteJsonAsync(ctx, 200, doc) : NotFound(ctx));
        app.MapGet("/openapi/v2", ctx => Responses.WriteBytesAsync(ctx, 200, OpenApiV2.Protobuf(), OpenApiV2.ContentType));
    }

    private static Task NotFound(HttpContext ctx) => Responses.WriteStatusAsync(ctx, ApiException.PathNotFound());
}
