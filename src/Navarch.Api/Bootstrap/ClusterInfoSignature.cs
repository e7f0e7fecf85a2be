using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Navarch.Api.Bootstrap;

/// <summary>
/// The signatures of <c>kube-public/cluster-info</c> (upstream's bootstrap signer and kubeadm's discovery): for each
/// bootstrap token allowed to sign, a key <c>jws-kubeconfig-ID</c> holding a detached JWS (RFC 7515 appendix F:
/// <c>HEADER..SIGNATURE</c>) over the ConfigMap's <c>kubeconfig</c>, HS256 keyed by the token's secret, header
/// <c>{"alg":"HS256","kid":"ID"}</c>. Whoever holds the token can check that the server which published the CA knows it too.
/// </summary>
public static class ClusterInfoSignature
{
    public const string KeyPrefix = "jws-kubeconfig-";

    /// <summary>The detached JWS of <paramref name="content"/> for token <paramref name="tokenId"/>.<paramref name="tokenSecret"/>.</summary>
    public static string Compute(string content, string tokenId, string tokenSecret)
    {
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(new JsonObject { ["alg"] = "HS256", ["kid"] = tokenId }.ToJsonString()));
        var signingInput = header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(content));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(tokenSecret), Encoding.ASCII.GetBytes(signingInput));
        return header + ".." + Base64Url.EncodeToString(mac);
    }

    /// <summary>Whether <paramref name="detached"/> is the signature of <paramref name="content"/> by that token (compared in constant time).</summary>
    public static bool IsValid(string detached, string content, string tokenId, string tokenSecret) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(content, tokenId, tokenSecret)), Encoding.ASCII.GetBytes(detached));
}
