using Navarch.Api.ServiceAccounts;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// How the server signs and checks ServiceAccount tokens, named as upstream's kube-apiserver flags. Without any, the
/// server makes an RSA key at first start (<c>DATA_DIR/sa.key</c>, 0600, and <c>sa.pub</c>) and signs for
/// <see cref="ServiceAccountClaims.DefaultIssuer"/>.
/// </summary>
public sealed class ServiceAccountOptions
{
    public const string GeneratedKeyFile = "sa.key";
    public const string GeneratedPublicKeyFile = "sa.pub";

    /// <summary><c>--service-account-issuer</c> (repeatable): the first signs, every one is accepted (for migrating issuers).</summary>
    public List<string> Issuers { get; set; } = [];

    /// <summary><c>--service-account-key-file</c> (repeatable): PEM public (or private) RSA keys that verify tokens.</summary>
    public List<string> KeyFiles { get; set; } = [];

    /// <summary><c>--service-account-signing-key-file</c>: the PEM RSA private key that signs tokens.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>
    /// <c>--api-audiences</c> (repeatable, or comma-separated): the audiences the API accepts in tokens, and those a
    /// TokenReview without <c>spec.audiences</c> checks; by default the issuers, as upstream.
    /// </summary>
    public List<string> ApiAudiences { get; set; } = [];

    /// <summary>The issuers in force: those given, or the default.</summary>
    public IReadOnlyList<string> EffectiveIssuers => Issuers.Count > 0 ? Issuers : [ServiceAccountClaims.DefaultIssuer];

    /// <summary>The API's audiences in force: those given, or the issuers.</summary>
    public IReadOnlyList<string> EffectiveApiAudiences => ApiAudiences.Count > 0 ? ApiAudiences : EffectiveIssuers;

    /// <summary>The key the server signs with: the one given, or the one it makes in <paramref name="dataDir"/>.</summary>
    public string SigningKeyPath(string dataDir) => SigningKeyFile ?? Path.Combine(dataDir, GeneratedKeyFile);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad flag.</summary>
    public void Validate()
    {
        foreach (var file in KeyFiles)
            if (!File.Exists(file)) throw new ArgumentException($"--service-account-key-file: {file} does not exist");
        if (SigningKeyFile is { } signing && !File.Exists(signing))
            throw new ArgumentException($"--service-account-signing-key-file: {signing} does not exist");
        foreach (var issuer in Issuers)
            if (issuer.Length == 0 || (issuer.Contains(':') && !Uri.TryCreate(issuer, UriKind.Absolute, out _)))
                throw new ArgumentException($"--service-account-issuer: \"{issuer}\" is not a URL or a name without a colon");
    }
}
