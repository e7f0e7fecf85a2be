using k8s;
using k8s.Models;

namespace Navarch.Controllers.ServiceAccounts;

/// <summary>
/// Upstream's root-ca-cert-publisher: the ConfigMap <c>kube-root-ca.crt</c> in every namespace, whose <c>ca.crt</c> is the
/// cluster CA (the controller manager's <c>--root-ca-file</c>), so that pods can check the API server's certificate.
/// </summary>
public sealed class RootCaPublisher(ControllerContext context, string caPem) : PerNamespaceObjectController<V1ConfigMap>(
    "root-ca-cert-publisher", ConfigMapName, context, Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<RootCaPublisher>(context.Loggers))
{
    public const string ConfigMapName = "kube-root-ca.crt";
    public const string CaKey = "ca.crt";
    private const string DescriptionAnnotation = "kubernetes.io/description";
    private const string Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

    protected override V1ConfigMap Desired(string ns) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = ConfigMapName, NamespaceProperty = ns, Annotations = new Dictionary<string, string> { [DescriptionAnnotation] = Description },
        },
        Data = new Dictionary<string, string> { [CaKey] = caPem },
    };

    protected override bool Drifted(V1ConfigMap existing) =>
        existing.Data is not { Count: 1 } data || !data.TryGetValue(CaKey, out var pem) || pem != caPem;

    protected override Task CreateAsync(V1ConfigMap obj, string ns, CancellationToken ct) =>
        Client.CoreV1.CreateNamespacedConfigMapAsync(obj, ns, cancellationToken: ct);

    /// <summary>Puts the data back (with the version read, so a concurrent change makes this retry).</summary>
    protected override Task UpdateAsync(V1ConfigMap existing, string ns, CancellationToken ct)
    {
        var wanted = Desired(ns);
        wanted.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        wanted.Metadata.Labels = existing.Metadata.Labels;
        return Client.CoreV1.ReplaceNamespacedConfigMapAsync(wanted, ConfigMapName, ns, cancellationToken: ct);
    }
}
