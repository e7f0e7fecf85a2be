using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Kubelet;

/// <summary>
/// Whether an agent's serving certificate may be trusted for a node: it chains to the CA (for server use, valid now),
/// names the node (a DNS SAN equal to the node's name) and the address dialled (an IP SAN). Upstream checks the
/// dialled host only; the node's name is checked too because anyone who can write a Node's status chooses its
/// address, and a certificate of node A must not serve for node B at A's address. The messages are Go's x509 words,
/// which is what upstream's "error dialing backend" carries.
/// </summary>
public static class AgentCertificateCheck
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    /// <summary>Null when good; otherwise why not.</summary>
    public static string? Verify(X509Certificate2 ca, X509Certificate2? certificate, string nodeName, IPAddress address, DateTimeOffset now)
    {
        if (certificate is null) return "tls: the agent presented no certificate";
        if (now > certificate.NotAfter || now < certificate.NotBefore)
            return $"x509: certificate has expired or is not yet valid: current time {now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} is outside {certificate.NotBefore.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}..{certificate.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}";
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuth));
            if (!chain.Build(certificate)) return "x509: certificate signed by unknown authority";
        }
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var ips = san?.EnumerateIPAddresses().ToList() ?? [];
        var names = san?.EnumerateDnsNames().ToList() ?? [];
        if (ips.Count == 0) return $"x509: cannot validate certificate for {address} because it doesn't contain any IP SANs";
        var validFor = string.Join(", ", names.Concat(ips.Select(ip => ip.ToString())));
        if (!ips.Contains(address)) return $"x509: certificate is valid for {validFor}, not {address}";
        if (!names.Contains(nodeName, StringComparer.OrdinalIgnoreCase)) return $"x509: certificate is valid for {validFor}, not {nodeName}";
        return null;
    }
}
