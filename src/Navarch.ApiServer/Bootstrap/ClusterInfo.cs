using System.Text;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Bootstrap;

/// <summary>
/// kubeadm's <c>kube-public/cluster-info</c> ConfigMap: a kubeconfig holding the cluster CA and the server's URL, which
/// anyone may read (Role and RoleBinding <c>kubeadm:bootstrap-signer-clusterinfo</c> for <c>system:anonymous</c>). A
/// joining agent reads it before it has any credential and checks the CA against the hash it was given; agents on
/// the insecure port learn from it which CA client certificates must chain to.
/// </summary>
public sealed class ClusterInfo(ObjectRegistry registry)
{
    public const string Namespace = "kube-public";
    public const string Name = "cluster-info";
    public const string KubeconfigKey = "kubeconfig";
    /// <summary>The path anonymous requests may read it at (the authenticator lets this one through to RBAC).</summary>
    public const string Path = "/api/v1/namespaces/kube-public/configmaps/cluster-info";
    private const string RoleName = "kubeadm:bootstrap-signer-clusterinfo";
    private static readonly WriteOptions Writer = new("navarch-bootstrap");

    /// <summary>Writes the ConfigMap for <paramref name="ca"/> and <paramref name="serverUrl"/> (again when either changed) and its Role and binding.</summary>
    public async Task EnsureAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 ca, string serverUrl, CancellationToken ct)
    {
        var kubeconfig = Render(ca, serverUrl);
        await registry.UpdateAsync(ResourceCatalog.ConfigMaps, Namespace, Name, current =>
        {
            var map = (V1ConfigMap?)current ?? new V1ConfigMap { Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = Namespace } };
            map.Data ??= new Dictionary<string, string>();
            map.Data[KubeconfigKey] = kubeconfig;
            return map;
        }, Writer, allowCreate: true, ct);
        await CreateIfMissingAsync(ResourceCatalog.Roles, new V1Role
            {
                Metadata = new V1ObjectMeta { Name = RoleName, NamespaceProperty = Namespace },
                Rules = [new V1PolicyRule { Verbs = ["get"], ApiGroups = [""], Resources = ["configmaps"], ResourceNames = [Name] }],
            }, ct);
        await CreateIfMissingAsync(ResourceCatalog.RoleBindings, new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = RoleName, NamespaceProperty = Namespace },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = RoleName },
                Subjects = [new Rbacv1Subject { ApiGroup = "rbac.authorization.k8s.io", Kind = "User", Name = Authentication.UserInfo.Anonymous }],
            }, ct);
    }

    /// <summary>Another API server on the same etcd may create it at the same moment: that is as good.</summary>
    private async Task CreateIfMissingAsync(ResourceType type, k8s.IKubernetesObject<V1ObjectMeta> obj, CancellationToken ct)
    {
        if (await registry.TryGetAsync(type, Namespace, obj.Metadata.Name, ct) is not null) return;
        try { await registry.CreateAsync(type, Namespace, obj, Writer, ct); }
        catch (ApiException e) when (e.Reason == "AlreadyExists") { }
    }

    /// <summary>The kubeconfig of the ConfigMap: one cluster, no user (kubeadm's shape).</summary>
    public static string Render(System.Security.Cryptography.X509Certificates.X509Certificate2 ca, string serverUrl) => $"""
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(ca.ExportCertificatePem()))}
            server: {serverUrl}
          name: ""
        contexts: null
        current-context: ""
        kind: Config
        preferences: {"{}"}
        users: null

        """;
}
