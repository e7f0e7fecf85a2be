using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Navarch.ApiServer.Certificates;

/// <summary>Renders a kubeconfig with one cluster, one user authenticated by a client certificate, and one context.</summary>
public static class Kubeconfig
{
    public const string ClusterName = "navarch";

    public static string Render(string serverUrl, X509Certificate2 clusterCa, string userName, X509Certificate2 clientCertificate)
    {
        var context = $"{userName}@{ClusterName}";
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority-data: {Base64(clusterCa.ExportCertificatePem())}
                server: {serverUrl}
              name: {ClusterName}
            contexts:
            - context:
                cluster: {ClusterName}
                user: {userName}
              name: {context}
            current-context: {context}
            preferences: {"{}"}
            users:
            - name: {userName}
              user:
                client-certificate-data: {Base64(clientCertificate.ExportCertificatePem())}
                client-key-data: {Base64(PemFiles.KeyPem(clientCertificate))}

            """;
    }

    private static string Base64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
}
