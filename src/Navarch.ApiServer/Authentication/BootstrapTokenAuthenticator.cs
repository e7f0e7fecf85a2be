using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace Navarch.ApiServer.Authentication;

/// <summary>
/// Bootstrap tokens (<c>abcdef.0123456789abcdef</c>), as upstream's: the token's id names the kube-system Secret
/// <c>bootstrap-token-ID</c> of type <c>bootstrap.kubernetes.io/token</c>, whose <c>token-secret</c> must match, whose
/// <c>expiration</c> (RFC 3339) must not have passed and whose <c>usage-bootstrap-authentication</c> is "true". The user
/// is <c>system:bootstrap:ID</c> in <c>system:bootstrappers</c> and the groups of <c>auth-extra-groups</c>. Deleting
/// the Secret revokes the token at once (the Secret is read from the watch cache on every request).
/// </summary>
public sealed partial class BootstrapTokenAuthenticator(Func<string, V1Secret?> secrets, TimeProvider time) : IAuthenticator
{
    public const string SecretType = "bootstrap.kubernetes.io/token";
    public const string SecretPrefix = "bootstrap-token-";
    public const string Group = "system:bootstrappers";
    public const string UserPrefix = "system:bootstrap:";

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken ct) =>
        ValueTask.FromResult(Authenticate(BearerToken.From(context.Request)));

    public AuthenticationResult Authenticate(string? token)
    {
        if (token is null || TokenFormat().Match(token) is not { Success: true } m) return AuthenticationResult.NotApplicable;
        var (id, secret) = (m.Groups[1].Value, m.Groups[2].Value);
        if (secrets(SecretPrefix + id) is not { Type: SecretType } stored) return AuthenticationResult.NotApplicable;
        string? Field(string key) => stored.Data?.TryGetValue(key, out var v) == true ? Encoding.UTF8.GetString(v) : null;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Field("token-secret") ?? ""), Encoding.UTF8.GetBytes(secret)))
            return AuthenticationResult.NotApplicable;
        if (Field("usage-bootstrap-authentication") != "true") return AuthenticationResult.NotApplicable;
        if (Field("expiration") is { } expiration
            && (!DateTimeOffset.TryParse(expiration, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var until)
                || until <= time.GetUtcNow()))
            return AuthenticationResult.NotApplicable; // upstream: "expired bootstrap token", then 401
        var extra = (Field("auth-extra-groups") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(g => g.StartsWith(Group + ":", StringComparison.Ordinal));
        return AuthenticationResult.Success(new UserInfo(UserPrefix + id, [Group, .. extra]));
    }

    [GeneratedRegex("^([a-z0-9]{6})\\.([a-z0-9]{16})$")]
    public static partial Regex TokenFormat();
}

/// <summary>Bootstrap token Secrets as the authenticator reads them: from the watch cache, by name, in kube-system.</summary>
public static class BootstrapTokenSecrets
{
    public static BootstrapTokenAuthenticator Authenticator(Navarch.ApiServer.Watching.WatchCache cache) => new(name =>
        cache.Snapshot(Navarch.Api.Resources.ResourceCatalog.Secrets).Objects
            .TryGetValue(Navarch.ApiServer.Storage.ObjectKeys.For(Navarch.Api.Resources.ResourceCatalog.Secrets, "kube-system", name), out var found)
            ? found.Object as V1Secret : null, TimeProvider.System);
}
