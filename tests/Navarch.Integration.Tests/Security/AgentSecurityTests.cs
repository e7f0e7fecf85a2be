using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Navarch.ApiServer.Certificates;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// The node agent's :10250 and the API server's calls to it, over TLS against a real secure server: anonymous 401,
/// another node's certificate 403, the API server's own calls served, and the issue's <c>evil</c> node refused
/// before any HTTP reaches the listener its status names.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AgentSecurityTests(SecureServerFixture fixture) : IClassFixture<SecureServerFixture>
{
    private static readonly IPAddress Loopback = IPAddress.Loopback;

    private async Task<V1Pod> NodeWithPodAsync(string node, int port, string pod)
    {
        await fixture.Admin.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = node } });
        // A merge patch: the node lifecycle controller may write the node between our create and this.
        var status = new V1Node
        {
            Status = new V1NodeStatus
            {
                Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "127.0.0.1" }],
                DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = port } },
            },
        };
        await fixture.Admin.CoreV1.PatchNodeStatusAsync(new V1Patch(KubernetesJson.Serialize(status), V1Patch.PatchType.MergePatch), node);
        return await PodAsync(node, pod);
    }

    private Task<V1Pod> PodAsync(string node, string pod) => fixture.Admin.CoreV1.CreateNamespacedPodAsync(new V1Pod
    {
        Metadata = new V1ObjectMeta { Name = pod },
        Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "nginx" }] },
    }, "default");

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509Certificate2.CreateFromPem(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    [Theory]
    [InlineData("self-signed", "x509: certificate signed by unknown authority")]
    [InlineData("other-node", "x509: certificate is valid for good, 127.0.0.1, not evil-other-node")]
    [InlineData("plain-tcp", "Get \"https://127.0.0.1:")]
    public async Task The_evil_node_is_refused_and_its_listener_gets_no_http(string kind, string expected)
    {
        var certificate = kind switch
        {
            "self-signed" => SelfSigned("evil-self-signed"),
            "other-node" => fixture.Ca.Issue("system:node:good", ["system:nodes"], CertificateUsage.Server, TimeSpan.FromHours(1), ["good"], [Loopback]),
            _ => null,
        };
        await using var listener = new RecordingListener(certificate);
        var pod = await NodeWithPodAsync($"evil-{kind}", listener.Port, $"x-{kind}");

        using var kubectl = new Kubectl(fixture.SecureUrl);
        var logs = await kubectl.RunAsync("--kubeconfig", fixture.Server.AdminKubeconfig, "logs", pod.Metadata.Name);
        Assert.True(logs.ExitCode != 0, logs.ToString());
        Assert.True(logs.Stderr.Contains(expected), logs.ToString());

        using var http = fixture.Https(fixture.CertificateFor("kubernetes-admin", "system:masters"));
        using var raw = await http.GetAsync($"/api/v1/namespaces/default/pods/{pod.Metadata.Name}/log");
        Assert.Equal(HttpStatusCode.BadGateway, raw.StatusCode);
        Assert.Contains("\"code\":502", await raw.Content.ReadAsStringAsync());

        using var exec = await http.PostAsync($"/api/v1/namespaces/default/pods/{pod.Metadata.Name}/exec?command=id&stdout=1", null);
        Assert.NotEqual(HttpStatusCode.InternalServerError, exec.StatusCode);

        Assert.True(listener.Connections > 0, "the server never dialled the node's address (the test proves nothing then)");
        Assert.False(listener.SawHttp, $"HTTP reached the evil listener: {listener.Received}");
    }

    [Fact]
    public async Task The_agent_refuses_anonymous_and_other_nodes_and_serves_the_api_server()
    {
        await using var agent = AgentProcess.Start("secure-a", "--kubeconfig", fixture.Server.AdminKubeconfig);
        var pod = await PodAsync("secure-a", "on-secure-a");
        using var kubectl = new Kubectl(fixture.SecureUrl);
        using var admin = fixture.Https(fixture.CertificateFor("kubernetes-admin", "system:masters"));
        var (code, body) = (0, "");
        // The agent registers, then asks the cluster CA for its serving certificate (approved for system:masters at
        // once): until then the API server finds no node (404), no listener or an unverified certificate (502).
        await Poll.UntilAsync("the API server reaches the agent with a verified certificate", async () =>
        {
            if (agent.HasExited) throw new InvalidOperationException($"the agent exited:\n{agent.Output}");
            using var r = await admin.GetAsync($"/api/v1/namespaces/default/pods/{pod.Metadata.Name}/log");
            (code, body) = ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
            return code is not (502 or 503) && !body.Contains("\"kind\":\"nodes\""); // not the API server's "nodes not found"
        }, TimeSpan.FromSeconds(60), () => $"{code} {body}\n--- agent\n{agent.Output}");
        Assert.True(code is not (401 or 403), $"{code} {body}");
        var viaKubectl = await kubectl.RunAsync("--kubeconfig", fixture.Server.AdminKubeconfig, "logs", pod.Metadata.Name);
        Assert.DoesNotContain("Unauthorized", viaKubectl.Stderr);
        Assert.DoesNotContain("Forbidden", viaKubectl.Stderr);
        Assert.DoesNotContain("x509", viaKubectl.Stderr);

        X509Certificate2? served = null;
        var anonymousHandler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => { served = c is null ? null : X509CertificateLoader.LoadCertificate(c.GetRawCertData()); return true; } },
        };
        using (var anonymous = new HttpClient(anonymousHandler) { BaseAddress = new Uri(agent.Url), Timeout = TimeSpan.FromSeconds(20) })
        {
            foreach (var path in new[] { "/healthz", $"/containerLogs/default/{pod.Metadata.Name}/c", $"/exec/default/{pod.Metadata.Name}/c?command=id" })
            {
                using var r = await anonymous.GetAsync(path).WaitAsync(TimeSpan.FromSeconds(20)).ContinueWith(t => t.IsFaulted
                    ? throw new InvalidOperationException($"after the API server got {code} {body}: {t.Exception!.InnerException!.Message}\n--- agent\n{agent.Output}")
                    : t.Result);
                Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
                Assert.Equal("Unauthorized", await r.Content.ReadAsStringAsync());
            }
        }
        Assert.NotNull(served);
        Assert.True(CertificateAuthority.Verifies(fixture.Ca.Certificate, served!, CertificateUsage.Server, DateTimeOffset.UtcNow), "the agent serves a certificate of the cluster CA");

        var nodeB = new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ClientCertificates = [fixture.CertificateFor("system:node:secure-b", "system:nodes")],
            },
        };
        using var other = new HttpClient(nodeB) { BaseAddress = new Uri(agent.Url), Timeout = TimeSpan.FromSeconds(20) };
        using var forbidden = await other.GetAsync($"/containerLogs/default/{pod.Metadata.Name}/c");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("Forbidden (user=system:node:secure-b, verb=get, resource=nodes, subresource(s)=[proxy])", await forbidden.Content.ReadAsStringAsync());

        var csrs = await kubectl.RunAsync("--kubeconfig", fixture.Server.AdminKubeconfig, "get", "csr");
        Assert.Equal(0, csrs.ExitCode);
        Assert.Contains("kubernetes.io/kubelet-serving", csrs.Stdout);
        Assert.Contains("Approved,Issued", csrs.Stdout);
    }
}
