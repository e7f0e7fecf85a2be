using System.Security.Cryptography;

namespace Navarch.Api.ServiceAccounts;

/// <summary>The verdict on one bearer token: not ours (<see cref="Applies"/> false), a bad one (an error), or its claims.</summary>
public readonly record struct TokenCheck(ServiceAccountToken? Token, string? Error)
{
    public static TokenCheck NotMine => default;
    public static TokenCheck Bad(string error) => new(null, error);
    public bool Applies => Token is not null || Error is not null;
}

/// <summary>
/// The checks of a ServiceAccount token that need no cluster state (upstream's jwt.go and claims.go): a JWT from one of
/// our issuers (else it is not ours, and other authenticators may try), signed by one of our keys, within its validity
/// (with upstream's one-minute leeway), and for an audience the API accepts. Whether the ServiceAccount and the object
/// the token is bound to still exist is the caller's check.
/// </summary>
public sealed class TokenVerifier(IReadOnlyList<RSA> keys, IReadOnlyList<string> issuers, IReadOnlyList<string> apiAudiences)
{
    /// <summary>Upstream's jwt.DefaultLeeway: clocks of issuer and checker may differ this much.</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    /// <param name="requestedAudiences">The audiences a TokenReview asks for; the API's own when null.</param>
    public TokenCheck Check(string token, DateTimeOffset now, IReadOnlyList<string>? requestedAudiences = null)
    {
        if (JsonWebToken.Read(token) is not var (_, claims)) return TokenCheck.NotMine;
        var issuer = (string?)(claims["iss"] as System.Text.Json.Nodes.JsonValue);
        if (issuer is null || (issuer != ServiceAccountClaims.LegacyIssuer && !issuers.Contains(issuer))) return TokenCheck.NotMine;
        if (!JsonWebToken.Verify(token, keys)) return TokenCheck.Bad("invalid bearer token, square/go-jose: error in cryptographic primitive");
        if (ServiceAccountClaims.Parse(claims) is not { } sa) return TokenCheck.Bad("invalid bearer token, service account token claims are incomplete");
        if (sa.IsLegacy) return new TokenCheck(sa, null); // legacy tokens have no expiry and no audience
        if (sa.Expires is not { } exp) return TokenCheck.Bad("service account token has no expiry");
        if (now - Leeway >= exp) return TokenCheck.Bad("service account token has expired");
        if (sa.NotBefore is { } nbf && now + Leeway < nbf) return TokenCheck.Bad("service account token is not valid yet");
        var wanted = requestedAudiences is { Count: > 0 } ? requestedAudiences : apiAudiences;
        var tokenAudiences = sa.Audiences.Count > 0 ? sa.Audiences : apiAudiences;
        if (!tokenAudiences.Intersect(wanted).Any())
            return TokenCheck.Bad($"token audiences [{string.Join(" ", tokenAudiences.Select(a => $"\"{a}\""))}] is invalid for the target audiences [{string.Join(" ", wanted.Select(a => $"\"{a}\""))}]");
        return new TokenCheck(sa, null);
    }
}
