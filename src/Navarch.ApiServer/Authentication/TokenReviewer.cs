using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.ServiceAccounts;

namespace Navarch.ApiServer.Authentication;

/// <summary>
/// TokenReview's answer, with upstream's audience rules: the audiences asked for are <c>spec.audiences</c>, else the
/// API's own (<c>--api-audiences</c>). A ServiceAccount token must be for one of them (else it is unauthenticated with
/// upstream's <c>token audiences ["a"] is invalid for the target audiences ["b"]</c>); the other tokens (token file,
/// bootstrap tokens) are for the API alone, so they count only when one of the asked audiences is the API's.
/// <c>status.audiences</c> is the intersection.
/// </summary>
public sealed class TokenReviewer(IAuthenticator chain, ServiceAccountAuthenticator serviceAccounts, ServiceAccountTokens tokens)
{
    public async Task<V1TokenReviewStatus> ReviewAsync(V1TokenReviewSpec? spec, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(spec?.Token)) throw ApiException.BadRequest("spec.token: Required value");
        var wanted = spec.Audiences is { Count: > 0 } asked ? asked.ToList() : tokens.ApiAudiences.ToList();
        var (result, audiences) = serviceAccounts.AuthenticateFor(spec.Token, wanted);
        if (!result.Applies)
        {
            var probe = new DefaultHttpContext();
            probe.Request.Headers.Authorization = "Bearer " + spec.Token;
            result = await chain.AuthenticateAsync(probe, ct);
            audiences = tokens.ApiAudiences.Intersect(wanted).ToList();
            // Upstream's audience-agnostic wrapper: a token for the API alone is no token for another audience.
            if (result.User is not null && audiences.Count == 0) result = AuthenticationResult.NotApplicable;
        }
        return result.User is { } user && user.Name != UserInfo.Anonymous
            ? new V1TokenReviewStatus { Authenticated = true, User = ToV1(user), Audiences = audiences.ToList() }
            : new V1TokenReviewStatus { Authenticated = false, Error = result.Error ?? "invalid bearer token" };
    }

    public static V1UserInfo ToV1(UserInfo user) => new()
    {
        Username = user.Name,
        Uid = user.Uid.Length > 0 ? user.Uid : null,
        Groups = user.Groups.ToList(),
        Extra = user.Extra?.ToDictionary(e => e.Key, e => (IList<string>)e.Value.ToList()),
    };
}
