using k8s;
using Navarch.ApiServer.Certificates;
using Navarch.ApiServer.Hosting;
using Navarch.Client;

namespace Navarch.Commands;

/// <summary>
/// Clients of the control loops that run inside <c>navarch server</c>. With the insecure port on they use it, on
/// loopback, as before; with only the secure port, each loop gets a client certificate of its own user from the cluster CA.
/// </summary>
public static class LoopClients
{
    /// <summary>
    /// Upstream's user for the controller manager; it is also put in system:masters because Navarch's controllers
    /// run under one identity, not one ServiceAccount per controller as upstream's do (TODO(issue 10): least privilege).
    /// </summary>
    public static readonly (string User, string[] Groups) ControllerManager = ("system:kube-controller-manager", ["system:masters"]);
    public static readonly (string User, string[] Groups) Scheduler = ("system:kube-scheduler", []);

    /// <summary>Cluster DNS reads Services, EndpointSlices, Pods and Namespaces only, but has no role of its own yet
    /// (upstream's system:coredns): TODO(issue 10) least privilege.</summary>
    public static readonly (string User, string[] Groups) ClusterDns = ("system:serviceaccount:kube-system:coredns", ["system:masters"]);

    public static IKubernetes For(ApiServerHost server, (string User, string[] Groups) identity)
    {
        if (server.Url.Length > 0) return ClientConfigurations.ForUrl(server.Url).Client();
        var pki = server.Pki ?? throw new InvalidOperationException("the server serves neither port");
        var cert = pki.Authority.Issue(identity.User, identity.Groups, CertificateUsage.Client, TimeSpan.FromDays(365));
        return ClientConfigurations.ForCertificate(server.SecureUrl, pki.Authority.Certificate, cert).Client();
    }
}
