using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;

namespace Navarch.Client;

/// <summary>
/// The one place that builds <see cref="KubernetesClientConfiguration"/>s: for the server's own loops, the agents,
/// the lab and the tools, so that every component connects the same way (plain loopback URL, kubeconfig file, or
/// a client certificate with the cluster CA).
/// </summary>
public static class ClientConfigurations
{
    /// <summary>A URL with no credential: the insecure port on loopback or in the lab, or a kubeconfig's own server.</summary>
    public static KubernetesClientConfiguration ForUrl(string url) => new() { Host = url };

    /// <summary>
    /// A client of <paramref name="servers"/>: one URL, or several separated by commas (the API servers of several masters,
    /// tried in turn by <see cref="ServerFailoverHandler"/> when one cannot be connected to).
    /// </summary>
    public static Kubernetes ForServers(string servers)
    {
        var urls = servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length <= 1) return new Kubernetes(ForUrl(servers.Trim()));
        return new Kubernetes(ForUrl(urls[0]), new ServerFailoverHandler(urls.Select(u => new Uri(u)).ToList()));
    }

    /// <summary>The current context of a kubeconfig file, as kubectl reads it (see <see cref="KubeconfigFile"/>).</summary>
    public static KubernetesClientConfiguration FromKubeconfig(string path) => KubeconfigFile.Read(path);

    /// <summary>TLS to <paramref name="url"/>, trusting only <paramref name="clusterCa"/>, authenticated by <paramref name="client"/> (with its key).</summary>
    public static KubernetesClientConfiguration ForCertificate(string url, X509Certificate2 clusterCa, X509Certificate2 client) => new()
    {
        Host = url,
        SslCaCerts = [X509CertificateLoader.LoadCertificate(clusterCa.RawData)],
        ClientCertificateData = Base64(client.ExportCertificatePem()),
        ClientCertificateKeyData = Base64(KeyPem(client)),
    };

    /// <summary>TLS with a bearer token (a ServiceAccount's or a static one).</summary>
    public static KubernetesClientConfiguration ForToken(string url, X509Certificate2 clusterCa, string token) => new()
    {
        Host = url,
        SslCaCerts = [X509CertificateLoader.LoadCertificate(clusterCa.RawData)],
        AccessToken = token,
    };

    /// <summary>A client for <paramref name="config"/>.</summary>
    public static IKubernetes Client(this KubernetesClientConfiguration config) => new Kubernetes(config);

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));

    private static string KeyPem(X509Certificate2 cert) =>
        cert.GetECDsaPrivateKey()?.ExportPkcs8PrivateKeyPem()
        ?? cert.GetRSAPrivateKey()?.ExportPkcs8PrivateKeyPem()
        ?? throw new ArgumentException($"no private key for {cert.Subject}", nameof(cert));
}
