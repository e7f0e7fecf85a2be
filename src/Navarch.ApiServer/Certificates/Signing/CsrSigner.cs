using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;

namespace Navarch.ApiServer.Certificates.Signing;

/// <summary>
/// Upstream's csrsigning controller for the built-in signers, with the cluster CA: <c>kubernetes.io/kube-apiserver-client-kubelet</c>
/// (a node's client certificate: CN system:node:NAME, O system:nodes, no SANs, client auth), <c>kubernetes.io/kubelet-serving</c>
/// (a node's serving certificate: the same subject, DNS and IP SANs only, server auth) and <c>kubernetes.io/kube-apiserver-client</c>
/// (any client certificate). It signs only approved requests; a request its signer refuses gets the Failed condition.
/// Certificates last <paramref name="lifetime"/> (kube-controller-manager's <c>--cluster-signing-duration</c>, a year by
/// default) or what the request asked, if shorter. They start 5 minutes back for clocks that lag, as upstream's, but at
/// most a tenth of their lifetime back: upstream backdates 5 minutes whatever the lifetime, which for one of a few
/// minutes would put a client's renewal point (70-90 % of the validity) in the past at once.
/// </summary>
public sealed class CsrSigner(CertificateAuthority ca, TimeSpan lifetime, TimeProvider time)
{
    public const string KubeletClient = "kubernetes.io/kube-apiserver-client-kubelet";
    public const string KubeletServing = "kubernetes.io/kubelet-serving";
    public const string ApiServerClient = "kubernetes.io/kube-apiserver-client";
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan Backdate = TimeSpan.FromMinutes(5);

    private static readonly Dictionary<string, string> Oids = new()
    {
        ["client auth"] = "1.3.6.1.5.5.7.3.2",
        ["server auth"] = "1.3.6.1.5.5.7.3.1",
    };

    /// <summary>Whether this signer handles <paramref name="signerName"/> (other signers' requests are left alone, as upstream's).</summary>
    public static bool Handles(string? signerName) => signerName is KubeletClient or KubeletServing or ApiServerClient;

    /// <summary>The signed certificate as PEM, or the reason the signer refuses the request.</summary>
    public (byte[]? Certificate, string? Refusal) Sign(V1CertificateSigningRequest csr)
    {
        if (CsrContent.Read(csr) is not { } content) return (null, "the request is not a PEM certificate request");
        var signer = csr.Spec.SignerName;
        string[] allowed = signer switch
        {
            KubeletClient or ApiServerClient => ["digital signature", "key encipherment", "client auth"],
            _ => ["digital signature", "key encipherment", "server auth"],
        };
        if (content.Usages.FirstOrDefault(u => !allowed.Contains(u)) is { } usage) return (null, $"usage \"{usage}\" is not allowed for signer {signer}");
        if (signer is KubeletClient or KubeletServing && !content.IsNodeSubject)
            return (null, $"subject must be CN=system:node:<name>, O=system:nodes for signer {signer}");
        if (signer == KubeletClient && (content.DnsNames.Count > 0 || content.Addresses.Count > 0 || content.HasOtherNames))
            return (null, "subject alternative names are not allowed for signer " + signer);
        if (signer == KubeletServing && (content.HasOtherNames || content.DnsNames.Count + content.Addresses.Count == 0))
            return (null, "a DNS name or an IP address, and nothing else, is required in the subject alternative names for signer " + signer);

        var request = new CertificateRequest(content.Request.SubjectName, content.Request.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        var keyUsage = X509KeyUsageFlags.None;
        if (content.Usages.Contains("digital signature")) keyUsage |= X509KeyUsageFlags.DigitalSignature;
        if (content.Usages.Contains("key encipherment")) keyUsage |= X509KeyUsageFlags.KeyEncipherment;
        if (keyUsage != X509KeyUsageFlags.None) request.CertificateExtensions.Add(new X509KeyUsageExtension(keyUsage, true));
        var ekus = content.Usages.Where(Oids.ContainsKey).Select(u => new Oid(Oids[u])).ToArray();
        if (ekus.Length > 0) request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. ekus], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca.Certificate, true, false));
        if (content.DnsNames.Count + content.Addresses.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var dns in content.DnsNames) names.AddDnsName(dns);
            foreach (var ip in content.Addresses) names.AddIpAddress(ip);
            request.CertificateExtensions.Add(names.Build());
        }
        var now = time.GetUtcNow();
        var ttl = csr.Spec.ExpirationSeconds is { } seconds && TimeSpan.FromSeconds(seconds) < lifetime ? TimeSpan.FromSeconds(seconds) : lifetime;
        var backdated = now - TimeSpan.FromTicks(Math.Min(Backdate.Ticks, ttl.Ticks / 10));
        var notBefore = backdated < ca.Certificate.NotBefore ? new DateTimeOffset(ca.Certificate.NotBefore) : backdated;
        var notAfter = now + ttl > ca.Certificate.NotAfter ? new DateTimeOffset(ca.Certificate.NotAfter) : now + ttl;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(ca.Certificate, notBefore, notAfter, serial);
        return (System.Text.Encoding.ASCII.GetBytes(issued.ExportCertificatePem()), null);
    }
}
