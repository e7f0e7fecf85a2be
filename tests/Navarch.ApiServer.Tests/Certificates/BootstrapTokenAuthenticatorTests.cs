using System.Text;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.ApiServer.Authentication;

namespace Navarch.ApiServer.Tests.Certificates;

/// <summary>Bootstrap tokens checked against their kube-system Secret, as upstream's authenticator does.</summary>
public sealed class BootstrapTokenAuthenticatorTests
{
    private static V1Secret Secret(string id, string secret, string expiration = "2030-01-01T00:00:00Z", string usage = "true", string type = "bootstrap.kubernetes.io/token") => new()
    {
        Metadata = new V1ObjectMeta { Name = "bootstrap-token-" + id, NamespaceProperty = "kube-system" },
        Type = type,
        Data = new Dictionary<string, byte[]>
        {
            ["token-id"] = Encoding.UTF8.GetBytes(id), ["token-secret"] = Encoding.UTF8.GetBytes(secret),
            ["expiration"] = Encoding.UTF8.GetBytes(expiration), ["usage-bootstrap-authentication"] = Encoding.UTF8.GetBytes(usage),
            ["auth-extra-groups"] = Encoding.UTF8.GetBytes("system:bootstrappers:kubeadm:default-node-token,system:masters"),
        },
    };

    private static AuthenticationResult Authenticate(V1Secret? secret, string token) =>
        new BootstrapTokenAuthenticator(name => name == secret?.Metadata.Name ? secret : null, new FakeTimeProvider(new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero)))
            .Authenticate(token);

    [Fact]
    public void A_good_token_is_system_bootstrap_id_with_the_bootstrapper_groups_only()
    {
        var user = Authenticate(Secret("abcdef", "0123456789abcdef"), "abcdef.0123456789abcdef").User!;
        Assert.Equal("system:bootstrap:abcdef", user.Name);
        // Extra groups outside system:bootstrappers: are dropped, as upstream's validation refuses them.
        Assert.Equal(["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token"], user.Groups);
    }

    [Theory]
    [InlineData("abcdef.0123456789abcdeX")]   // wrong format
    [InlineData("abcdef.0123456789abcdee")]   // wrong secret
    [InlineData("zzzzzz.0123456789abcdef")]   // no Secret (deleted)
    public void Unknown_tokens_are_left_to_the_next_authenticator(string token) =>
        Assert.False(Authenticate(Secret("abcdef", "0123456789abcdef"), token).Applies);

    [Theory]
    [InlineData("2028-12-31T23:59:59Z", "true", "bootstrap.kubernetes.io/token")] // expired
    [InlineData("2030-01-01T00:00:00Z", "false", "bootstrap.kubernetes.io/token")] // not for authentication
    [InlineData("2030-01-01T00:00:00Z", "true", "Opaque")]                         // not a bootstrap token Secret
    public void Expired_unusable_or_mistyped_tokens_do_not_authenticate(string expiration, string usage, string type) =>
        Assert.Null(Authenticate(Secret("abcdef", "0123456789abcdef", expiration, usage, type), "abcdef.0123456789abcdef").User);
}
