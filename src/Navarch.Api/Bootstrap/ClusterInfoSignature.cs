using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

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

    /// <summary>
    /// The detached JWS of <paramref name="content"/> for token <paramref name="tokenId"/>.<paramref name="tokenSecret"/>;
    /// the id must be a token id (<c>[a-z0-9]{6}</c>), which needs no escaping in the header (written without a JSON
    /// library: the agent is compiled ahead of time).
    /// </summary>
    public static string Compute(string content, string tokenId, string tokenSecret)
    {
        if (!IsTokenId(tokenId)) throw new ArgumentException($"\"{tokenId}\" is not a bootstrap token id", nameof(tokenId));
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"HS256","kid":"{{tokenId}}"}"""));
        var signingInput = header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(content));
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(tokenSecret), Encoding.ASCII.GetBytes(signingInput));
        return header + ".." + Base64Url.EncodeToString(mac);
    }

    /// <summary>Whether <paramref name="id"/> has a bootstrap token id's form, six of <c>a-z0-9</c>.</summary>
    public static bool IsTokenId(string id) => id.Length == 6 && id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9');

    /// <summary>Whether <paramref name="detached"/> is the signature of <paramref name="content"/> by that token (compared in constant time).</summary>
    public static bool IsValid(string detached, string content, string tokenId, string tokenSecret) =>
        IsTokenId(tokenId) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(content, tokenId, tokenSecret)), Encoding.ASCII.GetBytes(detached));
}
