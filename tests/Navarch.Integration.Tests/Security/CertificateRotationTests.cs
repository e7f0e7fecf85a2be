using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Navarch.Client;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// A joined agent renews its client certificate before it ends, against a server whose signer issues certificates
/// for 12 seconds (<c>--cluster-signing-duration 12s</c>): a CSR of the node itself, approved automatically
/// (<c>selfnodeclient</c>), a new certificate stored 0600 in place of the old, and the agent's API client switched to it
/// without a restart: its Lease is still renewed after the first certificate ended. Its serving certificate is renewed
/// the same way and served. The agent joins without a hash, on cluster-info's signature alone
/// (<c>--discovery-token-unsafe-skip-ca-verification</c>).
/// </summary>
[Trait("Category", "Integration")]
public sealed class CertificateRotationTests : IAsyncLifetime
{
    private const string Node = "rotating-1";
    private ServerProcess _server = null!;
    private IKubernetes _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartSecureAsync("--cluster-signing-duration", "12s");
        _admin = ClientConfigurations.ForUrl(_server.Url).Client();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_joined_agent_renews_its_client_certificate_by_a_self_approved_csr_and_switches_to_it()
    {
        var words = File.ReadAllText(Path.Combine(_server.DataDir, "join-command")).Split(' ', StringSplitOptions.TrimEntries);
        var token = words[Array.IndexOf(words, "--token") + 1];
        await using var agent = AgentProcess.Start(Node, "--server", _server.SecureUrl!, "--token", token, "--discovery-token-unsafe-skip-ca-verification");
        var current = Path.Combine(agent.DataDir, "pki", "kubelet-client-current.pem");
        await Poll.UntilAsync("the joined node appears", async () =>
        {
            if (agent.HasExited) throw new InvalidOperationException($"the agent exited:\n{agent.Output}");
            try { await _admin.CoreV1.ReadNodeAsync(Node); return true; }
            catch (k8s.Autorest.HttpOperationException) { return false; }
        }, TimeSpan.FromSeconds(60), () => agent.Output);
        using var first = X509Certificate2.CreateFromPemFile(current, current);
        Assert.InRange(first.NotAfter - first.NotBefore, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(14));

        // The renewal: a CSR by the node itself for its own name, approved as selfnodeclient, and a new file.
        V1CertificateSigningRequest? renewal = null;
        await Poll.UntilAsync("the node's own renewal CSR is approved", async () =>
        {
            var csrs = await _admin.CertificatesV1.ListCertificateSigningRequestAsync();
            renewal = csrs.Items.FirstOrDefault(c => c.Spec.SignerName == "kubernetes.io/kube-apiserver-client-kubelet" && c.Spec.Username == "system:node:" + Node);
            return renewal?.Status?.Certificate is { Length: > 0 };
        }, TimeSpan.FromSeconds(30), () => agent.Output);
        Assert.Contains(renewal!.Status.Conditions, c => c.Type == "Approved" && c.Reason == "AutoApproved" && c.Message.Contains("self"));
        X509Certificate2? second = null;
        await Poll.UntilAsync("the renewed certificate replaces the first", () =>
        {
            second?.Dispose();
            second = X509Certificate2.CreateFromPemFile(current, current);
            return Task.FromResult(second.SerialNumber != first.SerialNumber);
        }, TimeSpan.FromSeconds(10), () => agent.Output);
        Assert.True(second!.NotAfter > first.NotAfter);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(current));

        // The first certificate is over: a request made with it now gets 401, so a renewed Lease proves the switch.
        var after = first.NotAfter.ToUniversalTime().AddSeconds(1);
        await Poll.UntilAsync("the agent renews its Lease after the first certificate ended", async () =>
        {
            if (agent.HasExited) throw new InvalidOperationException($"the agent exited:\n{agent.Output}");
            try { return (await _admin.CoordinationV1.ReadNamespacedLeaseAsync(Node, "kube-node-lease")).Spec.RenewTime > after; }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { return false; }
        }, TimeSpan.FromSeconds(40), () => agent.Output);
        Assert.DoesNotContain("Unauthorized", agent.Output);
        second.Dispose();

        // The serving certificate (for 127.0.0.1, which a person approves: the test, each time) is renewed too, and
        // :10250 serves the renewed one.
        var issued = new List<V1CertificateSigningRequest>();
        string served = "";
        await Poll.UntilAsync("the agent serves a renewed serving certificate", async () =>
        {
            issued = await ApproveServingRequestsAsync();
            if (issued.Count < 2) return false;
            served = await ServedSerialAsync(agent.Port);
            using var latest = X509Certificate2.CreateFromPem(System.Text.Encoding.ASCII.GetString(issued[^1].Status.Certificate));
            return served == latest.SerialNumber;
        }, TimeSpan.FromSeconds(40), () => $"{issued.Count} serving certificates issued, serving {served}\n{agent.Output}");
    }

    /// <summary>Approves the node's pending serving CSRs; returns those issued, oldest first.</summary>
    private async Task<List<V1CertificateSigningRequest>> ApproveServingRequestsAsync()
    {
        var mine = (await _admin.CertificatesV1.ListCertificateSigningRequestAsync()).Items
            .Where(c => c.Spec.SignerName == "kubernetes.io/kubelet-serving" && c.Spec.Username == "system:node:" + Node)
            .OrderBy(c => c.Metadata.CreationTimestamp).ToList();
        foreach (var csr in mine.Where(c => c.Status?.Conditions is null or { Count: 0 }))
        {
            csr.Status ??= new V1CertificateSigningRequestStatus();
            csr.Status.Conditions = [new V1CertificateSigningRequestCondition { Type = "Approved", Status = "True", Reason = "TestApproved", Message = "approved by the test" }];
            await _admin.CertificatesV1.ReplaceCertificateSigningRequestApprovalAsync(csr, csr.Metadata.Name);
        }
        return mine.Where(c => c.Status?.Certificate is { Length: > 0 }).ToList();
    }

    /// <summary>The serial number of the certificate the agent's server presents.</summary>
    private static async Task<string> ServedSerialAsync(int port)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port);
        await using var tls = new System.Net.Security.SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, _, _, _) => true, // only looked at, never trusted
        });
        return tls.RemoteCertificate!.GetSerialNumberString();
    }
}
