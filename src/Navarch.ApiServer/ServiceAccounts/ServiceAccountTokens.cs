using Navarch.Api.ServiceAccounts;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// The server's ServiceAccount token settings and keys. Keys named by flags load at start (a bad file stops the server
/// with a one-line error); the generated key loads, or is made, on first need, so that servers which never issue a
/// token (most tests) do not pay for an RSA key.
/// </summary>
public sealed class ServiceAccountTokens
{
    private readonly Lazy<ServiceAccountKeys> _keys;
    private readonly Lazy<TokenVerifier> _verifier;

    public ServiceAccountTokens(ServiceAccountOptions options, string dataDir)
    {
        Options = options;
        _keys = new(() => ServiceAccountKeys.Ensure(options, dataDir));
        _verifier = new(() => new TokenVerifier(Keys.Verifying, options.EffectiveIssuers, options.EffectiveApiAudiences));
        if (options.SigningKeyFile is not null || options.KeyFiles.Count > 0) _ = _keys.Value;
    }

    public ServiceAccountOptions Options { get; }
    public IReadOnlyList<string> Issuers => Options.EffectiveIssuers;
    /// <summary>The audiences the API accepts (upstream's --api-audiences, which default to the issuers).</summary>
    public IReadOnlyList<string> ApiAudiences => Options.EffectiveApiAudiences;
    public ServiceAccountKeys Keys => _keys.Value;
    public TokenVerifier Verifier => _verifier.Value;

    /// <summary>Loads or makes the keys now (a server with a secure port does at start, so sa.key exists for the controllers).</summary>
    public void EnsureKeys() => _ = _keys.Value;
}
