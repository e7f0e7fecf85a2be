using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Certificates;

/// <summary>What a leaf certificate is for: its extended key usage.</summary>
public enum CertificateUsage { Server, Client }

/// <summary>
/// A certificate authority that issues serving and client certificates. Keys are ECDSA P-256: a key takes
/// about a millisecond to make (RSA-2048 takes ~100 ms), and kubectl, Go and .NET all accept them
/// (kubeadm offers the same choice as <c>encryptionAlgorithm: ECDSA-P256</c>).
/// </summary>
public sealed class CertificateAuthority(X509Certificate2 certificate, TimeProvider time)
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>The CA certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; } = certificate.HasPrivateKey
        ? certificate
        : throw new ArgumentException("a certificate authority needs its private key", nameof(certificate));

    /// <summary>Makes a self-signed CA valid for <paramref name="lifetime"/>.</summary>
    public static CertificateAuthority Create(string commonName, TimeSpan lifetime, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={commonName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now + lifetime);
        return new CertificateAuthority(X509Certificate2.CreateFromPem(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()), time);
    }

    /// <summary>
    /// Issues a leaf certificate: subject CN=<paramref name="commonName"/> with one O per group (how upstream's x509
    /// authenticator reads user and groups), and for servers the DNS names and addresses it answers on.
    /// </summary>
    public X509Certificate2 Issue(
        string commonName, IEnumerable<string> organizations, CertificateUsage usage, TimeSpan lifetime,
        IEnumerable<string>? dnsNames = null, IEnumerable<IPAddress>? addresses = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var o in organizations) subject.AddOrganizationName(o);
        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(usage == CertificateUsage.Server ? ServerAuth : ClientAuth)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var names = new SubjectAlternativeNameBuilder();
        var anyName = false;
        foreach (var dns in dnsNames ?? []) { names.AddDnsName(dns); anyName = true; }
        foreach (var ip in addresses ?? []) { names.AddIpAddress(ip); anyName = true; }
        if (anyName) request.CertificateExtensions.Add(names.Build());

        var now = time.GetUtcNow();
        // Five minutes of slack for clocks a little behind, within the issuer's own validity.
        var notBefore = now.AddMinutes(-5) < Certificate.NotBefore ? new DateTimeOffset(Certificate.NotBefore) : now.AddMinutes(-5);
        var notAfter = now + lifetime;
        if (notAfter > Certificate.NotAfter) notAfter = Certificate.NotAfter; // never outlive the issuer
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // a positive serial number
        using var cert = request.Create(Certificate, notBefore, notAfter, serial);
        return X509Certificate2.CreateFromPem(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// True when <paramref name="leaf"/> chains to <paramref name="root"/> alone (no system roots), is valid now
    /// and may be used for <paramref name="usage"/>.
    /// </summary>
    public static bool Verifies(X509Certificate2 root, X509Certificate2 leaf, CertificateUsage usage, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage == CertificateUsage.Server ? ServerAuth : ClientAuth));
        return chain.Build(leaf);
    }
}
