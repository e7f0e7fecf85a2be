using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.Agent.Certificates;

/// <summary>
/// The agent's HTTPS to the API server with a client certificate that can change while it runs: every request goes
/// through the connection pool of the current certificate; <see cref="Use"/> starts a new pool for the new one, and the
/// old pool is closed after <see cref="OldPoolGrace"/>, so requests in flight finish and long watches reconnect with the
/// new certificate (upstream's kubelet closes its connections when its certificate changes, for the same reason).
/// Installed as the first handler of the client, which then never uses the pool the client library made itself.
/// </summary>
public sealed class RotatingClientHandler : DelegatingHandler
{
    public static readonly TimeSpan OldPoolGrace = TimeSpan.FromSeconds(10);
    private readonly X509Certificate2Collection _clusterCas;
    private HttpMessageInvoker _current;

    public RotatingClientHandler(X509Certificate2Collection clusterCas, X509Certificate2 certificate)
    {
        _clusterCas = clusterCas;
        _current = Pool(certificate);
    }

    /// <summary>Sends new requests with <paramref name="certificate"/> from now on.</summary>
    public void Use(X509Certificate2 certificate)
    {
        var old = Interlocked.Exchange(ref _current, Pool(certificate));
        _ = Task.Delay(OldPoolGrace).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) =>
        Volatile.Read(ref _current).SendAsync(request, ct);

    private HttpMessageInvoker Pool(X509Certificate2 certificate) => new(new SocketsHttpHandler
    {
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        KeepAlivePingDelay = TimeSpan.FromMinutes(3),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = [certificate],
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                errors == SslPolicyErrors.None || (errors == SslPolicyErrors.RemoteCertificateChainErrors && cert is not null && ChainsToClusterCa(cert)),
        },
    }, disposeHandler: true);

    private bool ChainsToClusterCa(X509Certificate cert)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_clusterCas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
        return chain.Build(leaf);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _current.Dispose();
        base.Dispose(disposing);
    }
}
