using k8s.Models;
using static Navarch.ApiServer.Authorization.Rbac.BootstrapPolicy;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>
/// Upstream's <c>system:controller:certificate-controller</c> (bound to the kube-system ServiceAccount of that name):
/// reading and deleting CSRs, writing their approval and status, <c>approve</c> on the kubelet client signer and
/// <c>sign</c> on the built-in signers, which the CertificateApproval and CertificateSigning admission plugins ask for.
/// Navarch approves and signs in the API server's write path and needs none of it itself; a controller run as upstream's
/// does.
/// </summary>
public static class CertificateControllerPolicy
{
    public const string RoleName = "system:controller:certificate-controller";
    private const string Group = "certificates.k8s.io";

    public static IReadOnlyList<V1ClusterRole> ClusterRoles { get; } =
    [
        Role(RoleName, null,
            Rule(["get", "list", "watch", "delete"], [Group], ["certificatesigningrequests"]),
            Rule(["update"], [Group], ["certificatesigningrequests/status", "certificatesigningrequests/approval"]),
            Signers("approve", Certificates.Signing.CsrSigner.KubeletClient),
            Signers("sign", "kubernetes.io/legacy-unknown", Certificates.Signing.CsrSigner.ApiServerClient,
                Certificates.Signing.CsrSigner.KubeletClient, Certificates.Signing.CsrSigner.KubeletServing),
            Rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
            Rule(["create", "patch", "update"], ["", "events.k8s.io"], ["events"])),
    ];

    public static IReadOnlyList<V1ClusterRoleBinding> ClusterRoleBindings { get; } =
    [
        Binding(RoleName, new Rbacv1Subject { Kind = "ServiceAccount", Name = "certificate-controller", NamespaceProperty = "kube-system" }),
    ];

    private static V1PolicyRule Signers(string verb, params string[] names) =>
        new() { Verbs = [verb], ApiGroups = [Group], Resources = ["signers"], ResourceNames = names };
}
