using k8s;
using k8s.Models;
using Navarch.Api.ServiceAccounts;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// TokenReview's audiences through the C# client, as upstream: <c>spec.audiences</c> must meet the token's,
/// <c>status.audiences</c> is the intersection, and without <c>spec.audiences</c> the API's own audiences (the issuer)
/// count; a static token is for the API alone.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TokenReviewAudienceTests(SecureServerFixture fixture) : IClassFixture<SecureServerFixture>
{
    private const string Issuer = ServiceAccountClaims.DefaultIssuer;

    [Fact]
    public async Task Tokenreview_checks_the_requested_audiences_and_returns_those_the_token_is_for()
    {
        var ns = await TestNamespaces.CreateAsync(fixture.Admin, "tr-audiences-", generate: true);
        var forVault = await TokenAsync(ns, ["vault", "consul"]);
        var forApi = await TokenAsync(ns, null);

        var vault = await ReviewAsync(forVault, ["vault", "nomad"]);
        Assert.True(vault.Authenticated, vault.Error);
        Assert.Equal($"system:serviceaccount:{ns}:default", vault.User.Username);
        Assert.Equal(["vault"], vault.Audiences);

        var nomad = await ReviewAsync(forVault, ["nomad"]);
        Assert.False(nomad.Authenticated);
        Assert.Equal("token audiences [\"vault\" \"consul\"] is invalid for the target audiences [\"nomad\"]", nomad.Error);

        // No spec.audiences: the API's own, the issuer.
        var implicitForVault = await ReviewAsync(forVault, null);
        Assert.False(implicitForVault.Authenticated);
        Assert.Equal($"token audiences [\"vault\" \"consul\"] is invalid for the target audiences [\"{Issuer}\"]", implicitForVault.Error);
        var api = await ReviewAsync(forApi, null);
        Assert.True(api.Authenticated, api.Error);
        Assert.Equal([Issuer], api.Audiences);
        var apiAsked = await ReviewAsync(forApi, ["vault", Issuer]);
        Assert.True(apiAsked.Authenticated, apiAsked.Error);
        Assert.Equal([Issuer], apiAsked.Audiences);

        // A static token is for the API alone.
        var alice = await ReviewAsync(SecureServerFixture.AliceToken, null);
        Assert.True(alice.Authenticated, alice.Error);
        Assert.Equal("alice", alice.User.Username);
        Assert.Equal([Issuer], alice.Audiences);
        var aliceForVault = await ReviewAsync(SecureServerFixture.AliceToken, ["vault"]);
        Assert.False(aliceForVault.Authenticated);
        Assert.Null(aliceForVault.User);
    }

    private async Task<string> TokenAsync(string ns, IList<string>? audiences)
    {
        var request = await fixture.Admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { Audiences = audiences, ExpirationSeconds = 600 } }, "default", ns);
        return request.Status.Token;
    }

    private async Task<V1TokenReviewStatus> ReviewAsync(string token, IList<string>? audiences) =>
        (await fixture.Admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token, Audiences = audiences } })).Status;
}
