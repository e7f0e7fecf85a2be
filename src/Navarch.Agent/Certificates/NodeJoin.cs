using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Agent.Command;
using Navarch.Client;

namespace Navarch.Agent.Certificates;

/// <summary>A join that cannot go on: the message is the one line the agent prints before it exits non-zero.</summary>
public sealed class JoinException(string message) : Exception(message);

/// <summary>
/// kubeadm join's discovery and the kubelet's TLS bootstrap: read <c>kube-public/cluster-info</c> without trusting
/// the server yet, accept its CA only if the hash of its public key is the one given (<c>--ca-cert-hash</c>), then with
/// the bootstrap token ask for the node's client certificate (CSR, signer <c>kube-apiserver-client-kubelet</c>, which
/// the server approves for bootstrap-token holders), wait for it and keep it with its key (0600) and the CA under
/// <c>DATA_DIR/pki</c>. Later starts use the kept certificate and need no token. Nothing is written to the API
/// (no Node) before the certificate is there.
/// </summary>
public sealed class NodeJoin(string server, string nodeName, string dataDir)
{
    public const string ClientBaseName = "kubelet-client";
    public const string CaFile = "ca.crt";
    private static readonly TimeSpan IssueTimeout = TimeSpan.FromMinutes(2);

    private string Pki => Path.Combine(dataDir, "pki");

    /// <summary>The client configuration of a node that joined before (its kept certificate is still valid), or null.</summary>
    public KubernetesClientConfiguration? Joined(TimeProvider time)
    {
        var certificate = CertificateSigning.Load(Pki, ClientBaseName);
        var caPath = Path.Combine(Pki, CaFile);
        if (certificate is null || !File.Exists(caPath) || certificate.NotAfter.ToUniversalTime() <= time.GetUtcNow().UtcDateTime) return null;
        return ClientConfigurations.ForCertificate(server, X509Certificate2.CreateFromPem(File.ReadAllText(caPath)), certificate);
    }

    /// <summary>Joins with <paramref name="token"/>; throws <see cref="JoinException"/> with a one-line reason.</summary>
    public async Task<KubernetesClientConfiguration> JoinAsync(string token, string? caCertHash, CancellationToken ct)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(token, "^[a-z0-9]{6}\\.[a-z0-9]{16}$"))
            throw new JoinException("--token: a bootstrap token looks like abcdef.0123456789abcdef");
        var ca = await DiscoverCaAsync(ct);
        var pin = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(ca.PublicKey.ExportSubjectPublicKeyInfo()));
        if (caCertHash is null)
            throw new JoinException($"--ca-cert-hash is required with --token: the CA of {server} has {pin}; check it against the server's join command");
        if (!string.Equals(caCertHash, pin, StringComparison.OrdinalIgnoreCase))
            throw new JoinException($"cluster CA found in cluster-info ConfigMap is invalid: none of the public keys \"{pin}\" are pinned by --ca-cert-hash {caCertHash}");

        using var bootstrap = new Kubernetes(ClientConfigurations.ForToken(server, ca, token));
        var (key, pem) = CertificateSigning.NodeRequest(nodeName, [], []);
        string name;
        try
        {
            name = await CertificateSigning.SubmitAsync(bootstrap, CertificateSigning.KubeletClientSigner, pem, ["digital signature", "client auth"], ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new JoinException($"the server refused the bootstrap token (401 Unauthorized): it is wrong, expired or deleted");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new JoinException($"the bootstrap token may not ask for certificates (403 Forbidden): {e.Response.Content}");
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(IssueTimeout);
        X509Certificate2 certificate;
        try
        {
            certificate = await CertificateSigning.WaitAsync(bootstrap, name, key, TimeSpan.FromMilliseconds(500),
                () => Console.Error.WriteLine($"navarch agent: certificate signing request {name} waits for approval (kubectl certificate approve {name})"), deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new JoinException($"certificate signing request {name} was not approved within {IssueTimeout.TotalMinutes:0} minutes");
        }
        catch (CertificateRequestRefusedException e)
        {
            throw new JoinException(e.Message);
        }
        CertificateSigning.Store(certificate, Pki, ClientBaseName);
        File.WriteAllText(Path.Combine(Pki, CaFile), ca.ExportCertificatePem());
        return ClientConfigurations.ForCertificate(server, ca, certificate);
    }

    /// <summary>The CA in cluster-info, read anonymously over TLS that trusts nothing yet (the hash decides).</summary>
    private async Task<X509Certificate2> DiscoverCaAsync(CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            // Not trusted yet on purpose: whatever answers, its CA counts only if its key matches the pinned hash.
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            ConnectTimeout = TimeSpan.FromSeconds(10),
        }) { Timeout = TimeSpan.FromSeconds(20) };
        string body;
        try
        {
            using var response = await http.GetAsync($"{server.TrimEnd('/')}/api/v1/namespaces/kube-public/configmaps/cluster-info", ct);
            body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new JoinException($"cannot read kube-public/cluster-info from {server}: {(int)response.StatusCode} {response.StatusCode}");
        }
        catch (HttpRequestException e)
        {
            throw new JoinException($"cannot reach {server}: {e.Message}");
        }
        var map = KubernetesJson.Deserialize<V1ConfigMap>(body);
        if (map.Data?.TryGetValue("kubeconfig", out var kubeconfig) != true || AgentAuthFlags.CaOfKubeconfig(kubeconfig!) is not { } ca)
            throw new JoinException($"kube-public/cluster-info of {server} holds no kubeconfig with a CA");
        return ca;
    }
}
