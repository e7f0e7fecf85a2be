using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;

namespace Navarch.Api.Kinds.ServiceAccount;

/// <summary>
/// v1 ServiceAccount: a DNS-subdomain name (upstream's ValidateServiceAccountName), and the <c>token</c>
/// subresource (TokenRequest, served by the API server's token handler).
/// </summary>
public sealed class ServiceAccountKind() : KindDefinition<V1ServiceAccount>(ResourceType.Create<V1ServiceAccount>(
    "", "v1", "ServiceAccount", "serviceaccounts", namespaced: true, shortNames: ["sa"], subresources: ["token"]))
{
    internal override RowPrinter Printer { get; } = new ServiceAccountRowPrinter();
}

/// <summary>ServiceAccounts: NAME SECRETS AGE (SECRETS counts the listed secrets).</summary>
internal sealed class ServiceAccountRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Integer("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". More info: https://kubernetes.io/docs/concepts/configuration/secret"),
        TableColumn.Age,
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var sa = (V1ServiceAccount)obj;
        return [Cell(sa.Metadata?.Name), Cell(sa.Secrets?.Count ?? 0), Cell(Age(sa, now))];
    }
}
