using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Api.ServiceAccounts;
using Navarch.Client;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// <c>--api-audiences</c>: the audiences the API accepts in tokens, what TokenRequest issues for by default and what a
/// TokenReview without <c>spec.audiences</c> checks, instead of the issuer.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ApiAudiencesTests : IAsyncLifetime
{
    private ServerProcess _server = null!;
    private IKubernetes _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartSecureAsync("--api-audiences", "navarch-api,other-api");
        _admin = ClientConfigurations.ForUrl(_server.Url).Client();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Tokens_are_for_the_api_audiences_and_one_for_the_issuer_alone_is_refused()
    {
        var ns = await TestNamespaces.CreateAsync(_admin, "api-audiences-", generate: true);
        var forApi = await _admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "default", ns);
        Assert.Equal(["navarch-api", "other-api"], forApi.Spec.Audiences);
        var review = await _admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = forApi.Status.Token } });
        Assert.True(review.Status.Authenticated, review.Status.Error);
        Assert.Equal(["navarch-api", "other-api"], review.Status.Audiences);

        using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_server.DataDir, "pki", "ca.crt")));
        using (var asAccount = ClientConfigurations.ForToken(_server.SecureUrl!, ca, forApi.Status.Token).Client())
            Assert.Equal($"system:serviceaccount:{ns}:default", (await asAccount.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview())).Status.UserInfo.Username);

        var forIssuer = await _admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { Audiences = [ServiceAccountClaims.DefaultIssuer] } }, "default", ns);
        var refused = await _admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = forIssuer.Status.Token } });
        Assert.False(refused.Status.Authenticated);
        Assert.Equal($"token audiences [\"{ServiceAccountClaims.DefaultIssuer}\"] is invalid for the target audiences [\"navarch-api\" \"other-api\"]", refused.Status.Error);
        using var asIssuerToken = ClientConfigurations.ForToken(_server.SecureUrl!, ca, forIssuer.Status.Token).Client();
        var unauthorized = await Assert.ThrowsAsync<HttpOperationException>(() => asIssuerToken.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview()));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.Response.StatusCode);
    }
}
