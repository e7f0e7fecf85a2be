using System.Net;
using System.Security.Cryptography.X509Certificates;
using k8s;
using Microsoft.Extensions.Logging;

namespace Navarch.Agent.Certificates;

/// <summary>
/// Gets the agent server a serving certificate from the cluster CA, so that the API server can check it: a CSR with
/// signer <c>kubernetes.io/kubelet-serving</c> for the node's name and address, approved by the server when those are
/// the Node's own (or by a person: <c>kubectl certificate approve</c>). Kept as <c>DATA_DIR/pki/kubelet-server-current.pem</c>
/// and reused at the next start while it is valid and still names the node (one past its renewal point is renewed at
/// once); renewed as the client certificate is. Until the first one is issued the server keeps
/// its self-signed certificate, which the API server refuses.
/// </summary>
public sealed partial class ServingCertificateRequester(IKubernetes client, string nodeName, IPAddress address, string directory,
    X509Certificate2Collection clusterCas, TimeProvider time, ILogger logger)
{
    public const string BaseName = "kubelet-server";

    /// <summary>The stored certificate if it is still good for this node, else null.</summary>
    public X509Certificate2? Stored()
    {
        var stored = CertificateSigning.Load(directory, BaseName);
        if (stored is null) return null;
        if (Fits(stored)) return stored;
        stored.Dispose();
        return null;
    }

    /// <summary>
    /// Gets a certificate unless <paramref name="current"/> is one, hands it to <paramref name="install"/>, and then
    /// renews it at 70-90 % of its validity (<see cref="CertificateRotation"/>) until cancelled. A request that is refused
    /// is logged and ends the loop: the agent keeps the certificate it has.
    /// </summary>
    public async Task RunAsync(X509Certificate2? current, Action<X509Certificate2> install, CancellationToken ct)
    {
        try
        {
            if (current is null)
            {
                current = await RequestAsync(ct);
                install(current);
                LogIssued(nodeName, current.NotAfter);
            }
            await new CertificateRotation("serving", RequestAsync, install, time, logger).RunAsync(current, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogFailed(e.Message);
        }
    }

    /// <summary>Posts a CSR for a new key, waits until it is approved and issued, stores and returns the certificate.</summary>
    private async Task<X509Certificate2> RequestAsync(CancellationToken ct)
    {
        var (key, pem) = CertificateSigning.NodeRequest(nodeName, [nodeName], [address]);
        var name = await CertificateSigning.SubmitAsync(client, CertificateSigning.KubeletServingSigner, pem, ["digital signature", "server auth"], ct);
        var issued = await CertificateSigning.WaitAsync(client, name, key, TimeSpan.FromSeconds(1), () => LogPending(name), ct);
        CertificateSigning.Store(issued, directory, BaseName);
        return issued;
    }

    private bool Fits(X509Certificate2 certificate)
    {
        var now = time.GetUtcNow();
        if (certificate.NotAfter.ToUniversalTime() <= now.UtcDateTime || certificate.NotBefore.ToUniversalTime() > now.UtcDateTime) return false;
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null || !san.EnumerateIPAddresses().Contains(address) || !san.EnumerateDnsNames().Contains(nodeName)) return false;
        foreach (var root in clusterCas)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain.Build(certificate)) return true;
        }
        return false;
    }

    [LoggerMessage(EventId = 1, EventName = "ServingCsrPending", Level = LogLevel.Warning,
        Message = "serving certificate request {Name} waits for approval (kubectl certificate approve {Name}); until then the API server cannot reach this agent")]
    private partial void LogPending(string name);

    [LoggerMessage(EventId = 2, EventName = "ServingCertificateIssued", Level = LogLevel.Information, Message = "serving certificate of {Node} issued by the cluster CA, valid until {NotAfter}")]
    private partial void LogIssued(string node, DateTime notAfter);

    [LoggerMessage(EventId = 3, EventName = "ServingCsrFailed", Level = LogLevel.Warning, Message = "no serving certificate from the cluster CA: {Reason}")]
    private partial void LogFailed(string reason);
}
