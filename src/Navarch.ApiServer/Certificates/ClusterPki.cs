using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Navarch.ApiServer.Certificates;

/// <summary>
/// The server's certificates under <c>DATA_DIR/pki</c>: the cluster CA, the serving certificate and the admin's
/// client certificate, made at first start and re-issued at start when they near their end or miss a name.
/// A person's own serving certificate or client CA (<c>--tls-cert-file</c>, <c>--client-ca-file</c>) replaces ours.
/// </summary>
public sealed class ClusterPki
{
    public const string AdminUser = "kubernetes-admin";
    public const string MastersGroup = "system:masters";
    public const string AdminKubeconfigFile = "admin.kubeconfig";

    private static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    private static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(365);
    /// <summary>A certificate this close to its end is re-issued at start (kubeadm renews within 30 days too).</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>Names every serving certificate of the API server carries, as upstream's.</summary>
    public static readonly string[] ServiceDnsNames =
        ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"];

    private ClusterPki(CertificateAuthority ca, X509Certificate2 serving, X509Certificate2Collection clientCas)
    {
        Authority = ca;
        Serving = serving;
        ClientCas = clientCas;
    }

    /// <summary>The cluster CA, which signs our serving and client certificates.</summary>
    public CertificateAuthority Authority { get; }
    public X509Certificate2 Serving { get; }
    /// <summary>The roots a client certificate must chain to.</summary>
    public X509Certificate2Collection ClientCas { get; }

    /// <summary>Where the cluster CA's certificate is (what pods and the controllers trust).</summary>
    public static string CaCertificatePath(string dataDir) => Path.Combine(dataDir, "pki", "ca.crt");

    /// <summary>Loads or makes the certificates for a server with <paramref name="options"/>.</summary>
    public static ClusterPki Ensure(ApiServerOptions options, TimeProvider time)
    {
        var serviceIp = FirstServiceIp(options.ServiceClusterIpRange);
        var dir = Path.Combine(options.DataDir, "pki");
        PemFiles.EnsurePrivateDirectory(dir);
        var now = time.GetUtcNow();
        var caCert = PemFiles.TryRead(CaCertificatePath(options.DataDir), Path.Combine(dir, "ca.key"));
        if (caCert is null || caCert.NotAfter - now < RenewBefore)
        {
            caCert = CertificateAuthority.Create("navarch-ca", CaLifetime, time).Certificate;
            PemFiles.Write(caCert, CaCertificatePath(options.DataDir), Path.Combine(dir, "ca.key"));
        }
        var ca = new CertificateAuthority(caCert, time);

        X509Certificate2 serving;
        if (options.TlsCertFile is { } certFile)
            serving = X509Certificate2.CreateFromPemFile(certFile, options.TlsPrivateKeyFile);
        else
        {
            var addresses = ServingAddresses(options.BindAddress, serviceIp);
            // Signed by this CA, not only named after it: a CA copied in from another master replaces ours.
            serving = LoadOrIssue(ca, dir, "apiserver", now, c => Covers(c, addresses) && CertificateAuthority.Verifies(ca.Certificate, c, CertificateUsage.Server, now),
                () => ca.Issue("kube-apiserver", [], CertificateUsage.Server, LeafLifetime, ServiceDnsNames.Append(Dns.GetHostName()), addresses));
        }

        var clientCas = new X509Certificate2Collection();
        if (options.ClientCaFile is { } caFile) clientCas.ImportFromPemFile(caFile);
        else clientCas.Add(X509CertificateLoader.LoadCertificate(caCert.RawData));
        return new ClusterPki(ca, serving, clientCas);
    }

    /// <summary>The admin's client certificate (CN=kubernetes-admin, O=system:masters, as kubeadm's), made once and renewed at start.</summary>
    public X509Certificate2 AdminCertificate(string dataDir, TimeProvider time) =>
        LoadOrIssue(Authority, Path.Combine(dataDir, "pki"), "admin", time.GetUtcNow(),
            c => CertificateAuthority.Verifies(Authority.Certificate, c, CertificateUsage.Client, time.GetUtcNow()),
            () => Authority.Issue(AdminUser, [MastersGroup], CertificateUsage.Client, LeafLifetime));

    /// <summary>The user the API server is when it calls node agents (kubeadm's <c>apiserver-kubelet-client</c>).</summary>
    public const string KubeletClientUser = "kube-apiserver-kubelet-client";

    /// <summary>
    /// The API server's client certificate for node agents: CN=kube-apiserver-kubelet-client and no group, so that it
    /// may do to agents what <c>system:kubelet-api-admin</c> allows and nothing else in the API.
    /// </summary>
    public X509Certificate2 KubeletClientCertificate(string dataDir, TimeProvider time) =>
        LoadOrIssue(Authority, Path.Combine(dataDir, "pki"), "apiserver-kubelet-client", time.GetUtcNow(),
            c => CertificateAuthority.Verifies(Authority.Certificate, c, CertificateUsage.Client, time.GetUtcNow()),
            () => Authority.Issue(KubeletClientUser, [], CertificateUsage.Client, LeafLifetime));

    /// <summary>Writes <c>DATA_DIR/admin.kubeconfig</c> (0600) for <paramref name="serverUrl"/>; returns its path.</summary>
    public string WriteAdminKubeconfig(string dataDir, string serverUrl, TimeProvider time)
    {
        var path = Path.Combine(dataDir, AdminKubeconfigFile);
        PemFiles.WritePrivate(path, Kubeconfig.Render(serverUrl, Authority.Certificate, AdminUser, AdminCertificate(dataDir, time)));
        return path;
    }

    private static X509Certificate2 LoadOrIssue(
        CertificateAuthority ca, string dir, string name, DateTimeOffset now, Func<X509Certificate2, bool> stillGood, Func<X509Certificate2> issue)
    {
        var (certPath, keyPath) = (Path.Combine(dir, name + ".crt"), Path.Combine(dir, name + ".key"));
        var existing = PemFiles.TryRead(certPath, keyPath);
        if (existing is not null && existing.NotAfter - now >= RenewBefore && existing.Issuer == ca.Certificate.Subject && stillGood(existing))
            return existing;
        var cert = issue();
        PemFiles.Write(cert, certPath, keyPath);
        return cert;
    }

    /// <summary>Loopback, the first service IP, and the bind address (or, for a wildcard, every address of this machine).</summary>
    private static List<IPAddress> ServingAddresses(string bindAddress, IPAddress serviceIp)
    {
        var list = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback, serviceIp };
        var bind = IPAddress.Parse(bindAddress);
        if (!bind.Equals(IPAddress.Any) && !bind.Equals(IPAddress.IPv6Any)) list.Add(bind);
        else
            list.AddRange(NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .Where(a => a.AddressFamily == AddressFamily.InterNetwork || (a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal)));
        return list.Distinct().ToList();
    }

    /// <summary>The first address of the service range: the <c>kubernetes</c> Service's cluster IP.</summary>
    private static IPAddress FirstServiceIp(string range)
    {
        var bytes = IPNetwork.Parse(range).BaseAddress.GetAddressBytes();
        for (var i = bytes.Length - 1; i >= 0 && ++bytes[i] == 0; i--) { }
        return new IPAddress(bytes);
    }

    private static bool Covers(X509Certificate2 cert, IEnumerable<IPAddress> addresses)
    {
        var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null) return false;
        var have = san.EnumerateIPAddresses().ToHashSet();
        var names = san.EnumerateDnsNames().ToHashSet();
        return addresses.All(have.Contains) && ServiceDnsNames.All(names.Contains);
    }
}
