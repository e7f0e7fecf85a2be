using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Navarch.ApiServer.Certificates;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>TLS by default: certificates at first start, the admin kubeconfig, anonymous access to public info only, 401 for bad credentials.</summary>
[Trait("Category", "Integration")]
public sealed class SecurePortTests(SecureServerFixture fixture) : IClassFixture<SecureServerFixture>
{
    [Theory]
    [InlineData(Kubectl.Default)]
    [InlineData(Kubectl.V127)]
    public async Task The_admin_kubeconfig_drives_kubectl_over_tls(string binary)
    {
        using var kubectl = new Kubectl(fixture.SecureUrl, binary);
        var ns = "tls-" + Path.GetFileName(binary).Replace('.', '-');
        string[] k = ["--kubeconfig", fixture.Server.AdminKubeconfig];
        await Ok(kubectl, [.. k, "create", "namespace", ns]); // sent as protobuf
        await Ok(kubectl, [.. k, "-n", ns, "run", "web", "--image=nginx"]);
        var got = await Ok(kubectl, [.. k, "-n", ns, "get", "pods", "-o", "name"]);
        Assert.Equal("pod/web", got.Stdout.Trim());
        await Ok(kubectl, [.. k, "-n", ns, "delete", "pod", "web", "--wait=false"]);
        await Ok(kubectl, [.. k, "delete", "namespace", ns, "--wait=false"]);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/livez")]
    [InlineData("/version")]
    public async Task Without_credentials_public_info_answers(string path)
    {
        using var http = fixture.Https();
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/api")]
    [InlineData("/apis")]
    [InlineData("/api/v1/namespaces/default/pods")]
    [InlineData("/api/v1/nodes/x")]
    [InlineData("/openapi/v2")]
    [InlineData("/metrics")]
    [InlineData("/healthz/ping")]
    [InlineData("/nothing-here")]
    public async Task Without_credentials_everything_else_is_401_with_a_status(string path)
    {
        using var http = fixture.Https();
        using var response = await http.GetAsync(path);
        await AssertUnauthorizedAsync(response);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData(SecureServerFixture.AliceToken + "x")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl")]
    public async Task A_wrong_or_tampered_token_is_401_even_on_public_paths(string token)
    {
        using var http = fixture.Https();
        foreach (var path in new[] { "/version", "/api/v1/pods" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new("Bearer", token);
            await AssertUnauthorizedAsync(await http.SendAsync(request));
        }
    }

    [Fact]
    public async Task A_static_token_authenticates_its_user()
    {
        using var http = fixture.Https();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/namespaces/default/pods");
        request.Headers.Authorization = new("Bearer", SecureServerFixture.AliceToken);
        using var response = await http.SendAsync(request);
        // alice has no role yet: known (not 401) but not allowed.
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("User \\\"alice\\\" cannot list resource \\\"pods\\\" in API group \\\"\\\" in the namespace \\\"default\\\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_certificate_from_another_ca_or_expired_is_401()
    {
        var other = CertificateAuthority.Create("other-ca", TimeSpan.FromDays(1), TimeProvider.System);
        using (var http = fixture.Https(other.Issue("kubernetes-admin", ["system:masters"], CertificateUsage.Client, TimeSpan.FromHours(1))))
            await AssertUnauthorizedAsync(await http.GetAsync("/api/v1/namespaces"));

        // Issued as if at the CA's birth (five minutes before the server started), for two minutes.
        var past = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(fixture.Ca.Certificate.NotBefore);
        var expired = new CertificateAuthority(fixture.Ca.Certificate, past).Issue("kubernetes-admin", ["system:masters"], CertificateUsage.Client, TimeSpan.FromMinutes(2));
        Assert.True(expired.NotAfter < DateTime.Now, $"the certificate should have expired ({expired.NotAfter:O})");
        using (var http = fixture.Https(expired))
            await AssertUnauthorizedAsync(await http.GetAsync("/api/v1/namespaces"));

        using (var http = fixture.Https(fixture.CertificateFor("kubernetes-admin", "system:masters")))
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/v1/namespaces")).StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Keys_and_the_kubeconfig_are_private_and_the_serving_certificate_names_the_service()
    {
        var dir = fixture.Server.DataDir;
        Assert.Equal(PemFiles.PrivateDirectory, File.GetUnixFileMode(dir));
        Assert.Equal(PemFiles.Private, File.GetUnixFileMode(Path.Combine(dir, "admin.kubeconfig")));
        foreach (var key in Directory.GetFiles(Path.Combine(dir, "pki"), "*.key"))
            Assert.Equal(PemFiles.Private, File.GetUnixFileMode(key));

        using var serving = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dir, "pki", "apiserver.crt")));
        var san = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Subset(san.EnumerateDnsNames().ToHashSet(), ClusterPki.ServiceDnsNames.ToHashSet());
        var ips = san.EnumerateIPAddresses().ToList();
        Assert.Contains(IPAddress.Parse("10.96.0.1"), ips); // the kubernetes Service's cluster IP
        Assert.Contains(IPAddress.Loopback, ips);
        Assert.True(CertificateAuthority.Verifies(fixture.Ca.Certificate, serving, CertificateUsage.Server, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task Navarch_kubeconfig_prints_the_admin_kubeconfig()
    {
        var (code, stdout, stderr) = await NavarchCli.RunAsync("kubeconfig", "--data-dir", fixture.Server.DataDir);
        Assert.True(code == 0, stderr);
        Assert.Equal(await File.ReadAllTextAsync(fixture.Server.AdminKubeconfig), stdout);
        Assert.Contains($"server: {fixture.SecureUrl}", stdout);

        var missing = await NavarchCli.RunAsync("kubeconfig", "--data-dir", "/nonexistent-navarch-dir");
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("navarch kubeconfig: cannot read", missing.Stderr);
    }

    private static async Task<KubectlResult> Ok(Kubectl kubectl, string[] args)
    {
        var r = await kubectl.RunAsync(args);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {r}");
        return r;
    }

    internal static async Task AssertUnauthorizedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Status", body.RootElement.GetProperty("kind").GetString());
        Assert.Equal("Unauthorized", body.RootElement.GetProperty("reason").GetString());
        Assert.Equal("Unauthorized", body.RootElement.GetProperty("message").GetString());
        Assert.Equal(401, body.RootElement.GetProperty("code").GetInt32());
    }
}
