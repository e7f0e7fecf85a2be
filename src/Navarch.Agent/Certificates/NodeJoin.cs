using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Agent.Command;
using Navarch.Api.Bootstrap;
using Navarch.Client;

namespace Navarch.Agent.Certificates;

/// <summary>A join that cannot go on: the message is the one line the agent prints before it exits non-zero.</summary>
public sealed class JoinException(string message) : Exception(message);

/// <summary>
/// kubeadm join's discovery and the kubelet's TLS bootstrap: read <c>kube-public/cluster-info</c> without trusting
/// the server yet, check its <c>jws-kubeconfig-ID</c> signature with the token (the server knows the token), accept its
/// CA only if the hash of its public key is the one given (<c>--ca-cert-hash</c>; without one only with
/// <c>--discovery-token-unsafe-skip-ca-verification</c>), then with the bootstrap token ask for the node's client
/// certificate (CSR, signer <c>kube-apiserver-client-kubelet</c>, which the server approves for bootstrap-token holders),
/// wait for it and keep it with its key (0600) and the CA under <c>DATA_DIR/pki</c>. Later starts use the kept
/// certificate and need no token; <see cref="RenewAsync"/> replaces it before it ends. Nothing is written to the API
/// (no Node) before the certificate is there.
/// </summary>
public sealed class NodeJoin(string server, string nodeName, string dataDir)
{
    public const string ClientBaseName = "kubelet-client";
    public const string CaFile = "ca.crt";
    private static readonly TimeSpan IssueTimeout = TimeSpan.FromMinutes(2);
    /// <summary>How long a join waits for the server to sign cluster-info for a token it does not sign for yet.</summary>
    private static readonly TimeSpan SignatureWait = TimeSpan.FromSeconds(2);

    private string Pki => Path.Combine(dataDir, "pki");

    /// <summary>The credentials of a node that joined before (its kept certificate is still valid), or null.</summary>
    public NodeCredentials? Joined(TimeProvider time)
    {
        var certificate = CertificateSigning.Load(Pki, ClientBaseName);
        var caPath = Path.Combine(Pki, CaFile);
        if (certificate is null || !File.Exists(caPath) || certificate.NotAfter.ToUniversalTime() <= time.GetUtcNow().UtcDateTime) return null;
        return new NodeCredentials(this, server, X509Certificate2.CreateFromPem(File.ReadAllText(caPath)), certificate);
    }

    /// <summary>
    /// Joins with <paramref name="token"/>; throws <see cref="JoinException"/> with a one-line reason. Without
    /// <paramref name="caCertHash"/> the CA is trusted on cluster-info's signature alone, and only when
    /// <paramref name="unsafeSkipCaVerification"/> says so (kubeadm's rule).
    /// </summary>
    public async Task<NodeCredentials> JoinAsync(string token, string? caCertHash, bool unsafeSkipCaVerification, CancellationToken ct)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(token, "^[a-z0-9]{6}\\.[a-z0-9]{16}$"))
            throw new JoinException("--token: a bootstrap token looks like abcdef.0123456789abcdef");
        var ca = await DiscoverCaAsync(token[..6], token[7..], ct);
        var pin = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(ca.PublicKey.ExportSubjectPublicKeyInfo()));
        if (caCertHash is null && !unsafeSkipCaVerification)
            throw new JoinException($"--ca-cert-hash is required with --token (or --discovery-token-unsafe-skip-ca-verification): the CA of {server} has {pin}; check it against the server's join command");
        if (caCertHash is not null && !string.Equals(caCertHash, pin, StringComparison.OrdinalIgnoreCase))
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
        return new NodeCredentials(this, server, ca, certificate);
    }

    /// <summary>
    /// A new client certificate by a CSR of the node itself (upstream's <c>selfnodeclient</c>, approved by the server for
    /// the node's own name), stored over the old one once issued; <paramref name="client"/> still holds the old one.
    /// </summary>
    public async Task<X509Certificate2> RenewAsync(IKubernetes client, CancellationToken ct)
    {
        var (key, pem) = CertificateSigning.NodeRequest(nodeName, [], []);
        var name = await CertificateSigning.SubmitAsync(client, CertificateSigning.KubeletClientSigner, pem, ["digital signature", "client auth"], ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(IssueTimeout);
        var certificate = await CertificateSigning.WaitAsync(client, name, key, TimeSpan.FromSeconds(1), null, deadline.Token);
        CertificateSigning.Store(certificate, Pki, ClientBaseName);
        return certificate;
    }

    /// <summary>
    /// The CA in cluster-info, read anonymously over TLS that trusts nothing yet: its signature for the token must check
    /// (the server knows the token), and the caller checks the hash. The server signs for a new token within moments:
    /// a missing signature is looked for again for <see cref="SignatureWait"/>.
    /// </summary>
    private async Task<X509Certificate2> DiscoverCaAsync(string tokenId, string tokenSecret, CancellationToken ct)
    {
        var waitUntil = DateTime.UtcNow + SignatureWait;
        while (true)
        {
            var map = await ReadClusterInfoAsync(ct);
            if (map.Data?.TryGetValue("kubeconfig", out var kubeconfig) != true || AgentAuthFlags.CaOfKubeconfig(kubeconfig!) is not { } ca)
                throw new JoinException($"kube-public/cluster-info of {server} holds no kubeconfig with a CA");
            if (map.Data.TryGetValue(ClusterInfoSignature.KeyPrefix + tokenId, out var signature) && signature.Length > 0)
            {
                if (!ClusterInfoSignature.IsValid(signature, kubeconfig!, tokenId, tokenSecret))
                    throw new JoinException("failed to verify JWS signature of received cluster info object, can't trust this API Server");
                return ca;
            }
            if (DateTime.UtcNow >= waitUntil)
                throw new JoinException($"token id \"{tokenId}\" is invalid for this cluster or it has expired: cluster-info carries no signature for it (make a new token on the server)");
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    private async Task<V1ConfigMap> ReadClusterInfoAsync(CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            // Not trusted yet on purpose: whatever answers, its CA counts only if the token's signature and the pinned hash check.
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
        try { return KubernetesJson.Deserialize<V1ConfigMap>(body); }
        catch (System.Text.Json.JsonException) { throw new JoinException($"kube-public/cluster-info of {server} is not a ConfigMap"); }
    }
}

/// <summary>
/// A joined node's credentials: its client certificate and the cluster CA. <see cref="CreateClient"/> makes the API
/// client whose certificate <see cref="RotateAsync"/> replaces, without a restart, before it ends.
/// </summary>
public sealed class NodeCredentials(NodeJoin join, string server, X509Certificate2 ca, X509Certificate2 certificate)
{
    private readonly RotatingClientHandler _handler = new([ca], certificate);

    /// <summary>The configuration of the first certificate (its CA is the cluster's, which the agent server trusts too).</summary>
    public KubernetesClientConfiguration Config { get; } = ClientConfigurations.ForCertificate(server, ca, certificate);

    public Kubernetes CreateClient() => new(Config, _handler);

    /// <summary>Renews the certificate at 70-90 % of its validity, for as long as the agent runs.</summary>
    public Task RotateAsync(IKubernetes client, ILoggerFactory loggers, CancellationToken ct) =>
        new CertificateRotation("client", c => join.RenewAsync(client, c), _handler.Use, TimeProvider.System,
            loggers.CreateLogger("Navarch.Agent.Certificates")).RunAsync(certificate, ct);
}
