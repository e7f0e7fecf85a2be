using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Navarch.Api.ServiceAccounts;
using Navarch.ApiServer.Http;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>Registers ServiceAccount tokens (keys, authenticator, TokenRequest) and serves upstream's OIDC discovery.</summary>
public static class ServiceAccountSetup
{
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/openid/v1/jwks";

    public static void AddServiceAccounts(this IServiceCollection services, ApiServerOptions options)
    {
        var tokens = new ServiceAccountTokens(options.ServiceAccounts, options.DataDir);
        if (options.SecurePort > 0) tokens.EnsureKeys(); // sa.key exists before the controllers look for it
        services.AddSingleton(tokens);
        services.AddSingleton<ServiceAccountAuthenticator>();
        services.AddSingleton<TokenRequestHandler>();
    }

    /// <summary>
    /// <c>/.well-known/openid-configuration</c> and <c>/openid/v1/jwks</c> (upstream's ServiceAccountIssuerDiscovery), so
    /// that others can check the cluster's tokens; RBAC's system:service-account-issuer-discovery lets ServiceAccounts read them.
    /// </summary>
    public static void MapServiceAccountDiscovery(this IEndpointRouteBuilder app)
    {
        var tokens = app.ServiceProvider.GetRequiredService<ServiceAccountTokens>();
        app.MapGet(DiscoveryPath, ctx => Responses.WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["issuer"] = tokens.Issuers[0],
            ["jwks_uri"] = $"{(ctx.Request.IsHttps ? "https" : "http")}://{ctx.Request.Host}{JwksPath}",
            ["response_types_supported"] = new JsonArray("id_token"),
            ["subject_types_supported"] = new JsonArray("public"),
            ["id_token_signing_alg_values_supported"] = new JsonArray(JsonWebToken.Algorithm),
        }));
        app.MapGet(JwksPath, ctx => Responses.WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["keys"] = new JsonArray(tokens.Keys.Verifying.Select(k => (JsonNode?)JsonWebToken.Jwk(k)).ToArray()),
        }, "application/jwk-set+json"));
    }
}
