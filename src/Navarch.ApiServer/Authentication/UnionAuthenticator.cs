using Microsoft.AspNetCore.Http;

namespace Navarch.ApiServer.Authentication;

/// <summary>Asks each authenticator in turn; the first that recognises a credential decides, good or bad (upstream's union with fail-on-error).</summary>
public sealed class UnionAuthenticator(IReadOnlyList<IAuthenticator> authenticators) : IAuthenticator
{
    public IReadOnlyList<IAuthenticator> Authenticators => authenticators;

    public async ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken ct)
    {
        foreach (var authenticator in authenticators)
        {
            var result = await authenticator.AuthenticateAsync(context, ct);
            if (result.User is { } user) return AuthenticationResult.Success(user.WithAuthenticatedGroup());
            if (result.Error is not null) return result;
        }
        return AuthenticationResult.NotApplicable;
    }
}
