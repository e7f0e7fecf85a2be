using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Navarch.ApiServer.Certificates;

namespace Navarch.ApiServer.Kubelet;

/// <summary>
/// The API server's side of every call to a node agent: it presents the server's client certificate (upstream's
/// <c>apiserver-kubelet-client</c>) and, when it has a CA to check with, refuses an agent whose serving certificate
/// does not chain to it for that node's name and address (<see cref="AgentCertificateCheck"/>): the TLS handshake
/// fails before a byte of HTTP is sent, so a Node whose status points at some other listener learns nothing.
/// </summary>
public sealed class KubeletConnections
{
    /// <summary>How long connecting and the TLS handshake to an agent may take (a listener that never answers TLS ends there).</summary>
    public static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(5);

    private const int MaxPooledClients = 1024;
    private readonly X509Certificate2? _verifyWith;
    private readonly TimeProvider _time;
    // One HTTP client per agent (name, address, port): the certificate check belongs to a connection, and a pooled
    // connection checked for node A must never carry a request meant for node B at the same address.
    private readonly ConcurrentDictionary<AgentTarget, (HttpClient Client, Rejection Rejection)> _http = new();

    public KubeletConnections(X509Certificate2? clientCertificate, X509Certificate2? verifyWith, TimeProvider time)
    {
        ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate };
        _verifyWith = verifyWith;
        _time = time;
    }

    /// <summary>The server's client certificate, or null (a server with no PKI calls agents without one).</summary>
    public X509CertificateCollection? ClientCertificates { get; }

    /// <summary>Whether agents' serving certificates are checked.</summary>
    public bool Verifies => _verifyWith is not null;

    /// <summary>From the flags and the server's PKI (null when the secure port is off: no CA, nothing to check or present).</summary>
    public static KubeletConnections Create(KubeletClientOptions options, ClusterPki? pki, string dataDir, TimeProvider time)
    {
        var client = options.ClientCertificateFile is { } certFile
            ? X509Certificate2.CreateFromPemFile(certFile, options.ClientKeyFile)
            : pki?.KubeletClientCertificate(dataDir, time);
        X509Certificate2? ca = null;
        if (options.CertificateAuthority is { } caFile) ca = X509CertificateLoader.LoadCertificateFromFile(caFile);
        else if (!options.InsecureSkipTlsVerify && pki is not null) ca = X509CertificateLoader.LoadCertificate(pki.Authority.Certificate.RawData);
        return new KubeletConnections(client, ca, time);
    }

    /// <summary>Why the last handshake with <paramref name="target"/> was refused, if it was.</summary>
    public sealed class Rejection
    {
        public volatile string? Reason;
    }

    /// <summary>The certificate check for <paramref name="target"/>, writing why it refused into <paramref name="rejection"/>; accepts anything when the server has no CA to check with.</summary>
    public RemoteCertificateValidationCallback Check(AgentTarget target, Rejection rejection) => (_, certificate, _, _) =>
    {
        if (_verifyWith is null) return true;
        var leaf = certificate is null ? null : certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        rejection.Reason = AgentCertificateCheck.Verify(_verifyWith, leaf, target.NodeName, target.Address, _time.GetUtcNow());
        return rejection.Reason is null;
    };

    /// <summary>The HTTP client for <paramref name="target"/> (streams of logs), and where its refusals are explained.</summary>
    public (HttpClient Client, Rejection Rejection) Http(AgentTarget target)
    {
        if (_http.TryGetValue(target, out var existing)) return existing;
        if (_http.Count >= MaxPooledClients)
        {
            foreach (var old in _http.Values) old.Client.Dispose();
            _http.Clear();
        }
        var rejection = new Rejection();
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = Check(target, rejection), ClientCertificates = ClientCertificates },
            ConnectTimeout = DialTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
        var created = (new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, rejection);
        var winner = _http.GetOrAdd(target, created);
        if (!ReferenceEquals(winner.Client, created.Item1)) created.Item1.Dispose(); // another request made one first
        return winner;
    }

    /// <summary>Sets a WebSocket to <paramref name="target"/> up with the client certificate and the check.</summary>
    public Rejection Configure(ClientWebSocketOptions options, AgentTarget target)
    {
        var rejection = new Rejection();
        options.RemoteCertificateValidationCallback = Check(target, rejection);
        if (ClientCertificates is not null) options.ClientCertificates = ClientCertificates;
        return rejection;
    }
}
