using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.Api.ServiceAccounts;

/// <summary>
/// RS256 JSON Web Tokens (RFC 7515/7519) with .NET's own RSA: a header <c>{"alg":"RS256","kid":…}</c>, the claims, and a
/// PKCS#1 v1.5 SHA-256 signature, each base64url without padding. Enough for ServiceAccount tokens, which use nothing else.
/// </summary>
public static class JsonWebToken
{
    public const string Algorithm = "RS256";

    /// <summary>Signs <paramref name="claims"/> with <paramref name="key"/>, naming it <paramref name="keyId"/> in the header.</summary>
    public static string Sign(JsonObject claims, RSA key, string keyId)
    {
        var header = new JsonObject { ["alg"] = Algorithm, ["kid"] = keyId };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>
    /// The header and claims of a compact JWT, not yet verified; null when <paramref name="token"/> is not one (so an
    /// authenticator can leave it to the next).
    /// </summary>
    public static (JsonObject Header, JsonObject Claims)? Read(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            if (JsonNode.Parse(FromBase64Url(parts[0])) is not JsonObject header || JsonNode.Parse(FromBase64Url(parts[1])) is not JsonObject claims)
                return null;
            return (header, claims);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>True when the token is RS256 and one of <paramref name="keys"/> verifies its signature (the one its kid names first).</summary>
    public static bool Verify(string token, IReadOnlyList<RSA> keys)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || Read(token) is not var (header, _) || header["alg"]?.GetValueKind() != JsonValueKind.String
            || (string?)header["alg"] != Algorithm)
            return false;
        byte[] signature;
        try { signature = FromBase64Url(parts[2]); }
        catch (FormatException) { return false; }
        var input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        return keys.Any(k => k.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>Upstream's key id: base64url of the SHA-256 of the public key's DER (PKIX) form.</summary>
    public static string KeyId(RSA key) => Base64Url(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>The public key as a JWK (RFC 7517), as upstream's <c>/openid/v1/jwks</c> lists it.</summary>
    public static JsonObject Jwk(RSA key)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["use"] = "sig", ["kty"] = "RSA", ["kid"] = KeyId(key), ["alg"] = Algorithm,
            ["n"] = Base64Url(p.Modulus!), ["e"] = Base64Url(p.Exponent!),
        };
    }

    public static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Throws <see cref="FormatException"/> on bad input.</summary>
    public static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String((s.Length % 4) switch { 2 => s + "==", 3 => s + "=", 1 => throw new FormatException("bad base64url length"), _ => s });
    }
}
