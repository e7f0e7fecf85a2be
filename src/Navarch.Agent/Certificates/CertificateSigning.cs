using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Models;

namespace Navarch.Agent.Certificates;

/// <summary>
/// The agent's side of a CertificateSigningRequest (certificates.k8s.io/v1), as upstream kubelet's certificate
/// manager does it: a new ECDSA P-256 key, a PEM request for <c>CN=system:node:NAME, O=system:nodes</c>, posted with
/// a signer name, then read until the certificate is issued, or the request is denied or fails.
/// </summary>
public static class CertificateSigning
{
    public const string KubeletClientSigner = "kubernetes.io/kube-apiserver-client-kubelet";
    public const string KubeletServingSigner = "kubernetes.io/kubelet-serving";

    /// <summary>A new key and the PEM request of a node's certificate with those names (none for a client certificate).</summary>
    public static (ECDsa Key, byte[] Pem) NodeRequest(string nodeName, IReadOnlyList<string> dnsNames, IReadOnlyList<IPAddress> addresses)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddOrganizationName("system:nodes");
        subject.AddCommonName("system:node:" + nodeName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        if (dnsNames.Count + addresses.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var dns in dnsNames) names.AddDnsName(dns);
            foreach (var ip in addresses) names.AddIpAddress(ip);
            request.CertificateExtensions.Add(names.Build());
        }
        return (key, Encoding.ASCII.GetBytes(request.CreateSigningRequestPem()));
    }

    /// <summary>Posts the request (name <c>csr-XXXXX</c>, as the kubelet's generateName) and returns its name.</summary>
    public static async Task<string> SubmitAsync(IKubernetes client, string signerName, byte[] pem, IList<string> usages, CancellationToken ct)
    {
        var created = await client.CertificatesV1.CreateCertificateSigningRequestAsync(new V1CertificateSigningRequest
        {
            ApiVersion = "certificates.k8s.io/v1",
            Kind = "CertificateSigningRequest",
            Metadata = new V1ObjectMeta { GenerateName = "csr-" },
            Spec = new V1CertificateSigningRequestSpec { Request = pem, SignerName = signerName, Usages = usages },
        }, cancellationToken: ct);
        return created.Metadata.Name;
    }

    /// <summary>
    /// Reads the request every <paramref name="poll"/> until it holds a certificate (returned with <paramref name="key"/>);
    /// throws <see cref="CertificateRequestRefusedException"/> when it is denied or failed. <paramref name="onPending"/>
    /// runs once, the first time it is still pending.
    /// </summary>
    public static async Task<X509Certificate2> WaitAsync(IKubernetes client, string name, ECDsa key, TimeSpan poll, Action? onPending, CancellationToken ct)
    {
        var told = false;
        while (true)
        {
            var csr = await client.CertificatesV1.ReadCertificateSigningRequestAsync(name, cancellationToken: ct);
            if (csr.Status?.Conditions?.FirstOrDefault(c => c.Type is "Denied" or "Failed") is { } refused)
                throw new CertificateRequestRefusedException($"certificate signing request {name} was {refused.Type.ToLowerInvariant()}: {refused.Reason} {refused.Message}".Trim());
            if (csr.Status?.Certificate is { Length: > 0 } pem)
            {
                using var issued = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(pem));
                return issued.CopyWithPrivateKey(key);
            }
            if (!told) { onPending?.Invoke(); told = true; }
            await Task.Delay(poll, ct);
        }
    }

    /// <summary>
    /// Writes the certificate and its key as one file, <c>BASE-current.pem</c> (0600, created so, never wider), by a
    /// rename over the old one, as the kubelet keeps <c>kubelet-client-current.pem</c>: a crash leaves the old pair or
    /// the new, never a certificate beside another certificate's key.
    /// </summary>
    public static void Store(X509Certificate2 certificate, string directory, string baseName)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("private files need Unix file modes");
        Directory.CreateDirectory(directory);
        var key = certificate.GetECDsaPrivateKey()?.ExportPkcs8PrivateKeyPem() ?? certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem();
        var path = CurrentPath(directory, baseName);
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem() + "\n" + key + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The stored certificate with its key, or null when missing or unreadable (also the <c>.crt</c>/<c>.key</c> pair of older agents).</summary>
    public static X509Certificate2? Load(string directory, string baseName)
    {
        var current = CurrentPath(directory, baseName);
        var (cert, key) = File.Exists(current) ? (current, current) : (Path.Combine(directory, baseName + ".crt"), Path.Combine(directory, baseName + ".key"));
        if (!File.Exists(cert) || !File.Exists(key)) return null;
        try { return X509Certificate2.CreateFromPemFile(cert, key); }
        catch (CryptographicException) { return null; }
    }

    /// <summary>The file of the certificate in use with its key.</summary>
    public static string CurrentPath(string directory, string baseName) => Path.Combine(directory, baseName + "-current.pem");
}

/// <summary>A certificate signing request was denied or failed.</summary>
public sealed class CertificateRequestRefusedException(string message) : Exception(message);
