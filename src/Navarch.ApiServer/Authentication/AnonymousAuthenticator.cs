using Microsoft.AspNetCore.Http;

namespace Navarch.ApiServer.Authentication;

/// <summary>
/// The last authenticator: a request with no credential at all is <c>system:anonymous</c>, but only on the paths
/// anyone may read (upstream's AnonymousAuthConfigurableEndpoints: <c>anonymous: {enabled: true, conditions: [{path: /healthz}, …]}</c>).
/// Elsewhere such a request stays unauthenticated and gets 401; RBAC's system:public-info-viewer then allows the rest.
/// </summary>
public sealed class AnonymousAuthenticator(IReadOnlySet<string> paths) : IAuthenticator
{
    /// <summary>The paths of upstream's <c>system:public-info-viewer</c>.</summary>
    public static IReadOnlySet<string> PublicInfoPaths { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "/healthz", "/livez", "/readyz", "/version", "/version/",
    };

    public AnonymousAuthenticator() : this(PublicInfoPaths) { }

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken ct)
    {
        // A token nobody recognised is a bad credential, not an absent one (upstream: "invalid bearer token").
        if (BearerToken.From(context.Request) is not null) return ValueTask.FromResult(AuthenticationResult.Failure("invalid bearer token"));
        return ValueTask.FromResult(paths.Contains(context.Request.Path.Value ?? "")
            ? AuthenticationResult.Success(UserInfo.AnonymousUser)
            : AuthenticationResult.NotApplicable);
    }
}
