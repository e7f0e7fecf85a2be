using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using k8s;
using Navarch.ApiServer.Certificates;
using Navarch.Client;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// A server with its secure port and a static token file; issues client certificates for test users from the
/// cluster CA it made, and writes kubeconfigs for them.
/// </summary>
public sealed class SecureServerFixture : IAsyncLifetime
{
    public const string AliceToken = "alice-token-0123456789";
    private string _tokenFile = "";

    public ServerProcess Server { get; private set; } = null!;
    public string SecureUrl => Server.SecureUrl!;
    public CertificateAuthority Ca { get; private set; } = null!;
    /// <summary>Admin over the insecure loopback port, for setting tests up.</summary>
    public IKubernetes Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(_tokenFile, $"# token,user,uid,groups\n{AliceToken},alice,uid-alice,\"team-a,team-b\"\n");
        Server = await ServerProcess.StartSecureAsync("--token-auth-file", _tokenFile);
        var pki = Path.Combine(Server.DataDir, "pki");
        Ca = new CertificateAuthority(X509Certificate2.CreateFromPemFile(Path.Combine(pki, "ca.crt"), Path.Combine(pki, "ca.key")), TimeProvider.System);
        Admin = ClientConfigurations.ForUrl(Server.Url).Client();
    }

    /// <summary>A client certificate for <paramref name="user"/> in <paramref name="groups"/>, from the cluster CA.</summary>
    public X509Certificate2 CertificateFor(string user, params string[] groups) =>
        Ca.Issue(user, groups, CertificateUsage.Client, TimeSpan.FromHours(1));

    /// <summary>Writes a kubeconfig for <paramref name="user"/> into <paramref name="kubectl"/>'s directory; returns its path.</summary>
    public string KubeconfigFor(Kubectl kubectl, string user, params string[] groups) =>
        kubectl.WriteFile($"{user.Replace(':', '_')}.kubeconfig", Kubeconfig.Render(SecureUrl, Ca.Certificate, user, CertificateFor(user, groups)));

    /// <summary>An HttpClient over TLS that trusts only the cluster CA and presents <paramref name="client"/> if given.</summary>
    public HttpClient Https(X509Certificate2? client = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                    cert is not null && CertificateAuthority.Verifies(Ca.Certificate, X509CertificateLoader.LoadCertificate(cert.GetRawCertData()), CertificateUsage.Server, DateTimeOffset.UtcNow),
                ClientCertificates = client is null ? null : [client],
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(SecureUrl), Timeout = TimeSpan.FromSeconds(20) };
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        File.Delete(_tokenFile);
    }
}
