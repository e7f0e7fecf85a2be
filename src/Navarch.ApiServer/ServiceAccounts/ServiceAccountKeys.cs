using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Navarch.Api.ServiceAccounts;
using Navarch.ApiServer.Certificates;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// The RSA keys of ServiceAccount tokens: one that signs, and every one that verifies (the signing key's public half
/// plus <c>--service-account-key-file</c>'s, so tokens of a rotated-out key keep working while it is listed).
/// RSA because upstream's tokens are RS256, which every OIDC client understands.
/// </summary>
public sealed class ServiceAccountKeys
{
    private ServiceAccountKeys(RSA signing, IReadOnlyList<RSA> verifying)
    {
        Signing = signing;
        KeyId = JsonWebToken.KeyId(signing);
        Verifying = verifying;
    }

    public RSA Signing { get; }
    public string KeyId { get; }
    public IReadOnlyList<RSA> Verifying { get; }

    /// <summary>
    /// Loads the keys <paramref name="options"/> names, or makes <c>sa.key</c> (0600) and <c>sa.pub</c> in
    /// <paramref name="dataDir"/> at first start. Throws <see cref="ArgumentException"/> naming the flag of an unreadable key.
    /// </summary>
    public static ServiceAccountKeys Ensure(ServiceAccountOptions options, string dataDir)
    {
        RSA signing;
        if (options.SigningKeyFile is { } file) signing = ReadPrivate(file, "--service-account-signing-key-file");
        else
        {
            var path = options.SigningKeyPath(dataDir);
            if (File.Exists(path)) signing = ReadPrivate(path, "--data-dir");
            else
            {
                signing = RSA.Create(2048);
                PemFiles.WritePrivate(path, signing.ExportPkcs8PrivateKeyPem());
                File.WriteAllText(Path.Combine(dataDir, ServiceAccountOptions.GeneratedPublicKeyFile), signing.ExportSubjectPublicKeyInfoPem());
            }
        }
        var verifying = new List<RSA> { signing };
        foreach (var keyFile in options.KeyFiles) verifying.AddRange(ReadPublic(keyFile));
        return new ServiceAccountKeys(signing, verifying);
    }

    private static RSA ReadPrivate(string path, string flag)
    {
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(path));
            _ = rsa.ExportParameters(includePrivateParameters: true);
            return rsa;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"{flag}: {path} holds no RSA private key ({e.Message})");
        }
    }

    /// <summary>Each RSA key of a PEM file: public keys, private keys (their public half) or certificates, as upstream reads them.</summary>
    private static IEnumerable<RSA> ReadPublic(string path)
    {
        var text = File.ReadAllText(path);
        var keys = new List<RSA>();
        foreach (var block in PemBlocks(text))
        {
            try
            {
                if (block.Contains("CERTIFICATE", StringComparison.Ordinal))
                {
                    if (X509Certificate2.CreateFromPem(block).GetRSAPublicKey() is { } certKey) keys.Add(certKey);
                    continue;
                }
                var rsa = RSA.Create();
                rsa.ImportFromPem(block);
                keys.Add(rsa);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                throw new ArgumentException($"--service-account-key-file: {path}: {e.Message}");
            }
        }
        if (keys.Count == 0) throw new ArgumentException($"--service-account-key-file: {path} holds no RSA key");
        return keys;
    }

    private static IEnumerable<string> PemBlocks(string text)
    {
        var at = 0;
        while ((at = text.IndexOf("-----BEGIN ", at, StringComparison.Ordinal)) >= 0)
        {
            var end = text.IndexOf("-----END ", at, StringComparison.Ordinal);
            if (end < 0) yield break;
            var close = text.IndexOf("-----", end + 9, StringComparison.Ordinal);
            if (close < 0) yield break;
            yield return text[at..(close + 5)];
            at = close + 5;
        }
    }
}
