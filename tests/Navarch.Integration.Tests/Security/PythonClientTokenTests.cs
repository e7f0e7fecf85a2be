using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// The official Python client (Debian's python3-kubernetes) asks for a ServiceAccount token over TLS and uses it:
/// refused (403) until a RoleBinding grants the ServiceAccount, then allowed.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PythonClientTokenTests(SecureServerFixture fixture) : IClassFixture<SecureServerFixture>
{
    private const string Python = "/usr/bin/python3";

    // argv: kubeconfig namespace url ca; prints the status of listing pods with the token (up to 15 s for "200").
    private const string Script = """
        import sys, time
        from kubernetes import client, config
        from kubernetes.client.rest import ApiException
        kubeconfig, ns, url, ca, want = sys.argv[1:6]
        admin = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
        spec = client.V1TokenRequestSpec(audiences=["https://kubernetes.default.svc.cluster.local"], expiration_seconds=600)
        token = admin.create_namespaced_service_account_token("default", ns, client.AuthenticationV1TokenRequest(spec=spec)).status.token
        cfg = client.Configuration()
        cfg.host, cfg.ssl_ca_cert, cfg.api_key = url, ca, {"authorization": "Bearer " + token}
        pods = client.CoreV1Api(client.ApiClient(cfg))
        deadline = time.time() + 15
        while True:
            try:
                pods.list_namespaced_pod(ns)
                status = 200
            except ApiException as e:
                status = e.status
            if str(status) == want or time.time() > deadline:
                break
            time.sleep(0.2)
        print(status)
        """;

    [Fact]
    public async Task The_python_client_gets_a_token_that_rbac_refuses_then_allows()
    {
        var ns = $"sa-python-{Guid.NewGuid().ToString("N")[..6]}";
        await fixture.Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        await Poll.UntilAsync("the default ServiceAccount", async () =>
            (await fixture.Admin.CoreV1.ListNamespacedServiceAccountAsync(ns)).Items.Any(a => a.Metadata.Name == "default"), TimeSpan.FromSeconds(15));
        // Not token.py: the script's directory comes first on sys.path, and that name hides Python's own token module.
        var script = Path.Combine(fixture.Server.DataDir, "navarch_sa_token_check.py");
        await File.WriteAllTextAsync(script, Script);

        Assert.Equal("403", await RunAsync(script, ns, "403"));
        await fixture.Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "python-views" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "view" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "default", NamespaceProperty = ns }],
        }, ns);
        Assert.Equal("200", await RunAsync(script, ns, "200"));
    }

    private async Task<string> RunAsync(string script, string ns, string want)
    {
        var result = await ClientProcess.RunAsync(Python,
            [script, fixture.Server.AdminKubeconfig, ns, fixture.SecureUrl, Path.Combine(fixture.Server.DataDir, "pki", "ca.crt"), want],
            TimeSpan.FromSeconds(40));
        Assert.True(result.ExitCode == 0, $"python: {result}");
        return result.Stdout.Trim();
    }
}
