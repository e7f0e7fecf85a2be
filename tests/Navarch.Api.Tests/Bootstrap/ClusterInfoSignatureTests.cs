using Navarch.Api.Bootstrap;

namespace Navarch.Api.Tests.Bootstrap;

public sealed class ClusterInfoSignatureTests
{
    [Fact]
    public void The_signature_is_a_detached_hs256_jws_keyed_by_the_token_secret()
    {
        // Computed independently (Python's hmac over base64url(header) + "." + base64url(payload)), as go-jose does.
        Assert.Equal("eyJhbGciOiJIUzI1NiIsImtpZCI6ImFiY2RlZiJ9..psz1NayrXM3IaFzKZGsb5n_mBl7MjtlsZ1xE8MRmF_4",
            ClusterInfoSignature.Compute("content", "abcdef", "0123456789abcdef"));
    }

    [Fact]
    public void Only_the_same_content_and_token_verify()
    {
        var jws = ClusterInfoSignature.Compute("kubeconfig", "abcdef", "0123456789abcdef");
        Assert.True(ClusterInfoSignature.IsValid(jws, "kubeconfig", "abcdef", "0123456789abcdef"));
        Assert.False(ClusterInfoSignature.IsValid(jws, "kubeconfig!", "abcdef", "0123456789abcdef"));
        Assert.False(ClusterInfoSignature.IsValid(jws, "kubeconfig", "abcdef", "0123456789abcdeg"));
        Assert.False(ClusterInfoSignature.IsValid(jws, "kubeconfig", "abcdeg", "0123456789abcdef"));
        Assert.False(ClusterInfoSignature.IsValid("", "kubeconfig", "abcdef", "0123456789abcdef"));
    }
}
