using k8s;
using Navarch.ApiServer.Authorization.Rbac;
using Navarch.ApiServer.Certificates;
using Navarch.ApiServer.Hosting;
using Navarch.Client;
using Navarch.Controllers;

namespace Navarch.Commands;

/// <summary>
/// Clients of the control loops that run inside <c>navarch server</c>, each with its own identity and least privilege
/// (docs/security.md, "Identities"): whenever the server has its cluster CA (the secure port is on), each loop gets a
/// client certificate of its own user and talks TLS to the secure port, where RBAC holds it to its role. Only a
/// server without a secure port (no CA to issue from) runs its loops over the insecure loopback port.
/// </summary>
public static class LoopClients
{
    public const string ControllerManagerUser = "system:kube-controller-manager";
    public const string SchedulerUser = "system:kube-scheduler";

    /// <summary>Upstream's identity of the API server's own loopback client (in system:masters): here the upkeep of the
    /// kube-dns Service, a server-managed object as upstream's <c>kubernetes</c> Service is.</summary>
    public const string ApiServerUser = "system:apiserver";

    private static readonly string[] ServiceAccountGroups = ["system:serviceaccounts", "system:serviceaccounts:" + ControllerPolicy.ControllerNamespace];

    /// <summary>The controller manager's own client (informers, leader election, token controller) and one per controller's ServiceAccount.</summary>
    public static ControllerClients ControllerManager(ApiServerHost server) =>
        new(For(server, ControllerManagerUser, []), account => ForServiceAccount(server, account));

    public static IKubernetes Scheduler(ApiServerHost server) => For(server, SchedulerUser, []);

    /// <summary>Cluster DNS's reads, as upstream's CoreDNS: ServiceAccount kube-system/coredns, bound to system:coredns.</summary>
    public static IKubernetes ClusterDns(ApiServerHost server) => ForServiceAccount(server, ControllerPolicy.CoreDnsAccount);

    public static IKubernetes ApiServerLoopback(ApiServerHost server) => For(server, ApiServerUser, [ClusterPki.MastersGroup]);

    private static IKubernetes ForServiceAccount(ApiServerHost server, string account) =>
        For(server, ControllerPolicy.UserOf(account), ServiceAccountGroups);

    private static IKubernetes For(ApiServerHost server, string user, string[] groups)
    {
        if (server.Pki is { } pki && server.SecureUrl.Length > 0 && IssuesOwnCredentials(pki))
        {
            var cert = pki.Authority.Issue(user, groups, CertificateUsage.Client, TimeSpan.FromDays(365));
            return ClientConfigurations.ForCertificate(server.SecureUrl, pki.Authority.Certificate, cert).Client();
        }
        if (server.Url.Length > 0) return ClientConfigurations.ForUrl(server.Url).Client();
        throw new InvalidOperationException("the server serves neither port with credentials its loops can use");
    }

    /// <summary>Whether the cluster CA both signs the serving certificate and is a client root: not so with a person's
    /// own <c>--tls-cert-file</c> or <c>--client-ca-file</c> (then the loops use the insecure port if it is on).</summary>
    private static bool IssuesOwnCredentials(ClusterPki pki) =>
        pki.ClientCas.Any(c => c.Thumbprint == pki.Authority.Certificate.Thumbprint)
        && CertificateAuthority.Verifies(pki.Authority.Certificate, pki.Serving, CertificateUsage.Server, DateTimeOffset.UtcNow);
}
