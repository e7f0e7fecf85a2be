using k8s;
using k8s.Models;

namespace Navarch.Controllers.ServiceAccounts;

/// <summary>Upstream's ServiceAccount controller: a <c>default</c> ServiceAccount in every namespace, made again when deleted.</summary>
public sealed class ServiceAccountController(ControllerContext context) : PerNamespaceObjectController<V1ServiceAccount>(
    "serviceaccount-controller", DefaultName, context, Microsoft.Extensions.Logging.LoggerFactoryExtensions.CreateLogger<ServiceAccountController>(context.Loggers))
{
    public const string DefaultName = "default";

    protected override V1ServiceAccount Desired(string ns) => new()
    {
        ApiVersion = "v1", Kind = "ServiceAccount", Metadata = new V1ObjectMeta { Name = DefaultName, NamespaceProperty = ns },
    };

    protected override Task CreateAsync(V1ServiceAccount obj, string ns, CancellationToken ct) =>
        Client.CoreV1.CreateNamespacedServiceAccountAsync(obj, ns, cancellationToken: ct);
}
