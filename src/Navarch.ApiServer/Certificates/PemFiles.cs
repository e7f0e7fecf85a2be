using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Certificates;

/// <summary>
/// Reads and writes certificates and keys as PEM; private files are created 0600 (never readable by others, not even
/// briefly). File modes are Unix calls; the server runs on Linux only.
/// </summary>
public static class PemFiles
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> 0700, or narrows an existing directory to 0700.</summary>
    public static void EnsurePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("private files need Unix file modes");
        Directory.CreateDirectory(path, PrivateDirectory);
        File.SetUnixFileMode(path, PrivateDirectory);
    }

    /// <summary>Writes <paramref name="text"/> through a 0600 temporary file renamed into place, so readers never see half a file.</summary>
    public static void WritePrivate(string path, string text)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("private files need Unix file modes");
        var temp = path + ".tmp";
        File.Delete(temp);
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Private,
        }))
        using (var writer = new StreamWriter(stream))
            writer.Write(text);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes the certificate (0644, it is public) and its key (0600).</summary>
    public static void Write(X509Certificate2 cert, string certPath, string keyPath)
    {
        WritePrivate(keyPath, KeyPem(cert));
        File.WriteAllText(certPath, cert.ExportCertificatePem());
    }

    /// <summary>The certificate with its key, or null when either file is missing.</summary>
    public static X509Certificate2? TryRead(string certPath, string keyPath) =>
        File.Exists(certPath) && File.Exists(keyPath) ? X509Certificate2.CreateFromPemFile(certPath, keyPath) : null;

    public static string KeyPem(X509Certificate2 cert) =>
        cert.GetECDsaPrivateKey()?.ExportPkcs8PrivateKeyPem()
        ?? cert.GetRSAPrivateKey()?.ExportPkcs8PrivateKeyPem()
        ?? throw new CryptographicException($"no private key for {cert.Subject}");
}
