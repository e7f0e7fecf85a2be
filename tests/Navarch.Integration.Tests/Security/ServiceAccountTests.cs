using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.ServiceAccounts;
using Navarch.Client;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// ServiceAccounts over TLS with the real kubectl (1.32 and 1.27) and the C# client: the default ServiceAccount and
/// kube-root-ca.crt in new namespaces, <c>kubectl create token</c>, RBAC on the token's user, tokens bound to a pod,
/// expired and tampered tokens, TokenReview, and legacy token Secrets.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ServiceAccountTests(SecureServerFixture fixture) : IClassFixture<SecureServerFixture>
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(15);

    private string CaFile => Path.Combine(fixture.Server.DataDir, "pki", "ca.crt");

    [Fact]
    public async Task A_new_namespace_gets_a_default_service_account_made_again_when_deleted_and_the_cluster_ca()
    {
        var ns = await NamespaceAsync("sa-default");
        var first = await DefaultAccountAsync(ns);
        var ca = await Poll.ResultAsync("kube-root-ca.crt in the new namespace", () => TryAsync(() => fixture.Admin.CoreV1.ReadNamespacedConfigMapAsync("kube-root-ca.crt", ns)), Quick);
        Assert.Equal(await File.ReadAllTextAsync(CaFile), ca.Data["ca.crt"]);

        await fixture.Admin.CoreV1.DeleteNamespacedServiceAccountAsync("default", ns);
        await Poll.UntilAsync("the default ServiceAccount to be made again", async () =>
            await TryAsync(() => fixture.Admin.CoreV1.ReadNamespacedServiceAccountAsync("default", ns)) is { } again && again.Metadata.Uid != first.Metadata.Uid, Quick);

        using var kubectl = new Kubectl(fixture.SecureUrl);
        var get = await kubectl.RunAsync("--kubeconfig", fixture.Server.AdminKubeconfig, "-n", ns, "get", "sa");
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Matches(@"^NAME\s+SECRETS\s+AGE\s*\ndefault\s+0\s+\S+", get.Stdout);
        var created = await kubectl.RunAsync("--kubeconfig", fixture.Server.AdminKubeconfig, "-n", ns, "create", "serviceaccount", "robot");
        Assert.True(created.ExitCode == 0, created.ToString());
        var described = await kubectl.RunAsync("--kubeconfig", fixture.Server.AdminKubeconfig, "-n", ns, "describe", "sa", "robot");
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Matches($@"Name:\s+robot\nNamespace:\s+{ns}\n", described.Stdout);
        Assert.Matches(@"Tokens:\s+<none>", described.Stdout);
    }

    [Theory]
    [InlineData(Kubectl.Default)]
    [InlineData(Kubectl.V127)]
    public async Task Kubectl_create_token_gives_a_token_of_the_service_account_that_rbac_governs(string binary)
    {
        var ns = await NamespaceAsync("sa-token");
        await DefaultAccountAsync(ns);
        using var kubectl = new Kubectl(fixture.SecureUrl, binary);
        var created = await kubectl.RunAsync("--kubeconfig", fixture.Server.AdminKubeconfig, "-n", ns, "create", "token", "default");
        Assert.True(created.ExitCode == 0, created.ToString());
        string[] asToken = ["--certificate-authority", CaFile, "--token", created.Stdout.Trim()];

        var whoami = await kubectl.RunAsync([.. asToken, "auth", "whoami"]);
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.Matches($@"Username\s+system:serviceaccount:{ns}:default\n", whoami.Stdout);
        Assert.Matches($@"Groups\s+\[system:serviceaccounts system:serviceaccounts:{ns} system:authenticated\]", whoami.Stdout);

        var refused = await kubectl.RunAsync([.. asToken, "-n", ns, "get", "pods"]);
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Contains($"pods is forbidden: User \"system:serviceaccount:{ns}:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"", refused.Stderr);

        await fixture.Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "default-views" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "default", NamespaceProperty = ns }],
        }, ns);
        KubectlResult allowed = refused;
        await Poll.UntilAsync("the RoleBinding to let the token list pods", async () => (allowed = await kubectl.RunAsync([.. asToken, "-n", ns, "get", "pods"])).ExitCode == 0,
            Quick, () => allowed.ToString());
    }

    [Fact]
    public async Task A_token_bound_to_a_pod_stops_working_once_the_pod_is_deleted()
    {
        var ns = await NamespaceAsync("sa-bound");
        await DefaultAccountAsync(ns);
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
        }, ns);
        using var kubectl = new Kubectl(fixture.SecureUrl);
        var created = await kubectl.RunAsync("--kubeconfig", fixture.Server.AdminKubeconfig, "-n", ns, "create", "token", "default",
            "--bound-object-kind", "Pod", "--bound-object-name", "web", "--duration", "15m");
        Assert.True(created.ExitCode == 0, created.ToString());
        string[] whoami = ["--certificate-authority", CaFile, "--token", created.Stdout.Trim(), "auth", "whoami"];
        var before = await kubectl.RunAsync(whoami);
        Assert.True(before.ExitCode == 0, before.ToString());
        Assert.Matches(@"authentication.kubernetes.io/pod-name\s+\[web\]", before.Stdout);

        await fixture.Admin.CoreV1.DeleteNamespacedPodAsync("web", ns, gracePeriodSeconds: 0);
        KubectlResult after = before;
        await Poll.UntilAsync("the pod's token to be refused", async () => (after = await kubectl.RunAsync(whoami)).ExitCode != 0, Quick, () => after.ToString());
        Assert.Contains("Unauthorized", after.Stderr);
    }

    [Fact]
    public async Task Expired_tampered_and_foreign_tokens_get_401_while_the_real_one_works()
    {
        var ns = await NamespaceAsync("sa-bad");
        var account = await DefaultAccountAsync(ns);
        var token = (await fixture.Admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest(), "default", ns)).Status.Token;
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(token));

        var parts = token.Split('.');
        var claims = JsonNode.Parse(JsonWebToken.FromBase64Url(parts[1]))!;
        claims["sub"] = "system:serviceaccount:kube-system:default";
        claims["kubernetes.io"]!["namespace"] = "kube-system";
        var tampered = $"{parts[0]}.{JsonWebToken.Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}.{parts[2]}";
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(tampered));

        // Signed with the server's own key, but two hours past its end.
        using var key = RSA.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(fixture.Server.DataDir, "sa.key")));
        var expired = JsonWebToken.Sign(ServiceAccountClaims.Bound(ServiceAccountClaims.DefaultIssuer, [ServiceAccountClaims.DefaultIssuer],
            DateTimeOffset.UtcNow.AddHours(-3), 3600, ns, new ObjectRef("default", account.Metadata.Uid), null, null, null, "old"), key, JsonWebToken.KeyId(key));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(expired));

        using var stranger = RSA.Create(2048);
        var foreign = JsonWebToken.Sign(JsonNode.Parse(JsonWebToken.FromBase64Url(parts[1]))!.AsObject(), stranger, JsonWebToken.KeyId(stranger));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(foreign));

        var review = await fixture.Admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = expired } });
        Assert.False(review.Status.Authenticated);
        Assert.Equal("service account token has expired", review.Status.Error);
    }

    [Fact]
    public async Task The_csharp_client_requests_a_token_for_an_audience_and_a_duration_and_tokenreview_knows_it()
    {
        var ns = await NamespaceAsync("sa-client");
        await DefaultAccountAsync(ns);
        var request = await fixture.Admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 600 } }, "default", ns);
        Assert.Equal(600, request.Spec.ExpirationSeconds);
        Assert.Equal([ServiceAccountClaims.DefaultIssuer], request.Spec.Audiences);
        Assert.InRange(request.Status.ExpirationTimestamp!.Value - DateTime.UtcNow, TimeSpan.FromSeconds(590), TimeSpan.FromSeconds(601));

        var review = await fixture.Admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = request.Status.Token } });
        Assert.True(review.Status.Authenticated, review.Status.Error);
        Assert.Equal($"system:serviceaccount:{ns}:default", review.Status.User.Username);

        using var asAccount = ClientConfigurations.ForToken(fixture.SecureUrl, fixture.Ca.Certificate, request.Status.Token).Client();
        var self = await asAccount.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
        Assert.Equal($"system:serviceaccount:{ns}:default", self.Status.UserInfo.Username);

        var tooShort = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => fixture.Admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 500 } }, "default", ns));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooShort.Response.StatusCode);
        Assert.Contains("spec.expirationSeconds: Invalid value: 500: may not specify a duration less than 10 minutes", tooShort.Response.Content);
        var missing = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => fixture.Admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest(), "nobody", ns));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
    }

    [Fact]
    public async Task A_legacy_token_secret_is_filled_works_and_goes_with_its_service_account()
    {
        var ns = await NamespaceAsync("sa-legacy");
        var robot = await fixture.Admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        await fixture.Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "robot-token", Annotations = new Dictionary<string, string> { ["kubernetes.io/service-account.name"] = "robot" } },
            Type = "kubernetes.io/service-account-token",
        }, ns);
        var secret = await Poll.ResultAsync("the token controller to fill the secret", async () =>
            await TryAsync(() => fixture.Admin.CoreV1.ReadNamespacedSecretAsync("robot-token", ns)) is { Data: { } d } s && d.ContainsKey("token") ? s : null, Quick);
        Assert.Equal(ns, Encoding.UTF8.GetString(secret.Data["namespace"]));
        Assert.Equal(await File.ReadAllTextAsync(CaFile), Encoding.UTF8.GetString(secret.Data["ca.crt"]));
        Assert.Equal(robot.Metadata.Uid, secret.Metadata.Annotations["kubernetes.io/service-account.uid"]);
        var token = Encoding.UTF8.GetString(secret.Data["token"]);
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(token));

        await fixture.Admin.CoreV1.DeleteNamespacedServiceAccountAsync("robot", ns);
        await Poll.UntilAsync("the secret to go with its ServiceAccount", async () =>
            await TryAsync(() => fixture.Admin.CoreV1.ReadNamespacedSecretAsync("robot-token", ns)) is null, Quick);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(token));
    }

    [Fact]
    public async Task Service_accounts_read_the_oidc_discovery_documents()
    {
        var ns = await NamespaceAsync("sa-oidc");
        await DefaultAccountAsync(ns);
        var token = (await fixture.Admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest(), "default", ns)).Status.Token;
        using var http = fixture.Https();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var config = JsonNode.Parse(await http.GetStringAsync("/.well-known/openid-configuration"))!;
        Assert.Equal(ServiceAccountClaims.DefaultIssuer, (string?)config["issuer"]);
        var keys = JsonNode.Parse(await http.GetStringAsync("/openid/v1/jwks"))!["keys"]!.AsArray();
        var kid = (string?)JsonNode.Parse(JsonWebToken.FromBase64Url(token.Split('.')[0]))!["kid"];
        Assert.Contains(keys, k => (string?)k!["kid"] == kid);
    }

    [Fact]
    public async Task The_kubernetes_endpoints_name_the_secure_port_so_pods_use_their_tokens()
    {
        var endpoints = await fixture.Admin.CoreV1.ReadNamespacedEndpointsAsync("kubernetes", "default");
        var port = endpoints.Subsets.Single().Ports.Single();
        Assert.Equal(("https", new Uri(fixture.SecureUrl).Port), (port.Name, port.Port));
    }

    private async Task<HttpStatusCode> StatusWithTokenAsync(string token)
    {
        using var http = fixture.Https();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<string> NamespaceAsync(string prefix)
    {
        var ns = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await fixture.Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        return ns;
    }

    private Task<V1ServiceAccount> DefaultAccountAsync(string ns) =>
        Poll.ResultAsync($"the default ServiceAccount in {ns}", () => TryAsync(() => fixture.Admin.CoreV1.ReadNamespacedServiceAccountAsync("default", ns)), Quick);

    private static async Task<T?> TryAsync<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
