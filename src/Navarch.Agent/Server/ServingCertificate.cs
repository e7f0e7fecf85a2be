using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.Agent.Server;

/// <summary>
/// The agent server's self-signed TLS certificate (ECDSA P-256, a year), kept as PEM under the agent's data dir and
/// reused across restarts while it is valid and names the node's addresses. Until cluster security lands nobody
/// verifies it (the API server skips verification); it only keeps the traffic encrypted.
/// </summary>
public static class ServingCertificate
{
    /// <summary>File name of the certificate (PEM).</summary>
    public const string CertificateFile = "agent.crt";

    /// <summary>File name of the private key (PKCS#8 PEM, mode 0600).</summary>
    public const string KeyFile = "agent.key";

    /// <summary>
    /// Loads the certificate in <paramref name="directory"/> if it is valid for another day and its subject alternative
    /// names cover <paramref name="addresses"/>; otherwise makes a new one for <paramref name="nodeName"/> and those
    /// addresses and saves it there.
    /// </summary>
    public static X509Certificate2 LoadOrCreate(string directory, string nodeName, IReadOnlyList<IPAddress> addresses, TimeProvider time)
    {
        var certPath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        var now = time.GetUtcNow();
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            try
            {
                var existing = X509Certificate2.CreateFromPemFile(certPath, keyPath);
                if (Fits(existing, nodeName, addresses, now)) return existing;
                existing.Dispose();
            }
            catch (CryptographicException)
            {
                // Unreadable or mismatched files: make new ones.
            }
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={nodeName}@navarch-agent", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(nodeName);
        foreach (var address in addresses) names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));

        Directory.CreateDirectory(directory);
        WriteAtomically(keyPath, key.ExportPkcs8PrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        WriteAtomically(certPath, created.ExportCertificatePem(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return X509Certificate2.CreateFromPemFile(certPath, keyPath);
    }

    private static bool Fits(X509Certificate2 certificate, string nodeName, IReadOnlyList<IPAddress> addresses, DateTimeOffset now)
    {
        if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime.AddDays(1) || certificate.NotBefore.ToUniversalTime() > now.UtcDateTime) return false;
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null) return false;
        var ips = san.EnumerateIPAddresses().ToHashSet();
        return addresses.All(ips.Contains) && san.EnumerateDnsNames().Contains(nodeName);
    }

    private static void WriteAtomically(string path, string content, UnixFileMode mode)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, mode);
        File.Move(temporary, path, overwrite: true);
    }
}
