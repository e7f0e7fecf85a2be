using k8s.Models;
using static Navarch.ApiServer.Authorization.Rbac.BootstrapPolicy;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>
/// The bootstrap roles about node agents and their certificates, kept apart from <see cref="BootstrapPolicy"/>:
/// <c>system:kubelet-api-admin</c> (everything on an agent's API; bound to the API server's
/// <c>kube-apiserver-kubelet-client</c>, as kubeadm binds it).
/// </summary>
public static class NodeAccessPolicy
{
    public const string KubeletApiAdmin = "system:kubelet-api-admin";

    public static IReadOnlyList<V1ClusterRole> ClusterRoles { get; } =
    [
        Role(KubeletApiAdmin, null,
            Rule(["get", "list", "watch"], [""], ["nodes"]),
            Rule(["proxy"], [""], ["nodes"]),
            Rule(["*"], [""], ["nodes/proxy", "nodes/metrics", "nodes/spec", "nodes/stats", "nodes/log", "nodes/healthz", "nodes/pods", "nodes/configz"])),
    ];

    public static IReadOnlyList<V1ClusterRoleBinding> ClusterRoleBindings { get; } =
    [
        Binding(KubeletApiAdmin, User(Certificates.ClusterPki.KubeletClientUser)),
    ];
}
