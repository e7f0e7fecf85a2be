using k8s.Models;
using static Navarch.ApiServer.Authorization.Rbac.BootstrapPolicy;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>
/// The bootstrap roles about node agents and their certificates, kept apart from <see cref="BootstrapPolicy"/>:
/// <c>system:kubelet-api-admin</c> (everything on an agent's API; bound to the API server's
/// <c>kube-apiserver-kubelet-client</c>, as kubeadm binds it), and kubeadm's TLS bootstrap: bootstrap-token holders may
/// create CSRs (<c>system:node-bootstrapper</c>) that are approved for a node's client certificate (<c>…:nodeclient</c>),
/// and nodes may have their own client certificate renewed (<c>…:selfnodeclient</c>).
/// </summary>
public static class NodeAccessPolicy
{
    public const string KubeletApiAdmin = "system:kubelet-api-admin";

    public const string NodeClient = "system:certificates.k8s.io:certificatesigningrequests:nodeclient";
    public const string SelfNodeClient = "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient";
    private const string DefaultNodeToken = Bootstrap.BootstrapTokens.DefaultGroup;

    public static IReadOnlyList<V1ClusterRole> ClusterRoles { get; } =
    [
        Role("system:node-bootstrapper", null, Rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"])),
        Role(NodeClient, null, Rule(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"])),
        Role(SelfNodeClient, null, Rule(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"])),
        Role(KubeletApiAdmin, null,
            Rule(["get", "list", "watch"], [""], ["nodes"]),
            Rule(["proxy"], [""], ["nodes"]),
            Rule(["*"], [""], ["nodes/proxy", "nodes/metrics", "nodes/spec", "nodes/stats", "nodes/log", "nodes/healthz", "nodes/pods", "nodes/configz"])),
        .. CertificateControllerPolicy.ClusterRoles,
    ];

    public static IReadOnlyList<V1ClusterRoleBinding> ClusterRoleBindings { get; } =
    [
        Binding(KubeletApiAdmin, User(Certificates.ClusterPki.KubeletClientUser)),
        Named("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", Group(DefaultNodeToken)),
        Named("kubeadm:node-autoapprove-bootstrap", NodeClient, Group(DefaultNodeToken)),
        Named("kubeadm:node-autoapprove-certificate-rotation", SelfNodeClient, Group(Certificates.Signing.CsrContent.NodesGroup)),
        .. CertificateControllerPolicy.ClusterRoleBindings,
    ];

    private static V1ClusterRoleBinding Named(string name, string role, params Rbacv1Subject[] subjects)
    {
        var binding = Binding(role, subjects);
        binding.Metadata.Name = name;
        return binding;
    }
}
