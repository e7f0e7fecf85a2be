using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;

namespace Navarch.Api.Kinds.CertificateSigningRequest;

/// <summary>CSRs: NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION, as upstream prints them.</summary>
internal sealed class CertificateSigningRequestRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Age,
        TableColumn.Text("SignerName", "Only use well-known names, or names you own"),
        TableColumn.Text("Requestor", "Name of the user that requested the certificate"),
        TableColumn.Text("RequestedDuration", "The requested duration of the certificate"),
        TableColumn.Text("Condition", "The condition of the certificate signing request"),
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var csr = (V1CertificateSigningRequest)obj;
        var seconds = csr.Spec?.ExpirationSeconds;
        return
        [
            Cell(csr.Metadata?.Name), Cell(Age(csr, now)), Cell(csr.Spec?.SignerName), Cell(csr.Spec?.Username),
            Cell(seconds is { } s ? Duration(TimeSpan.FromSeconds(s)) : "<none>"), Cell(Condition(csr)),
        ];
    }

    /// <summary>Denied over Approved over Pending, then ",Failed" and ",Issued" (upstream's extractCSRStatus).</summary>
    public static string Condition(V1CertificateSigningRequest csr)
    {
        var types = (csr.Status?.Conditions ?? []).Select(c => c.Type).ToHashSet();
        var text = types.Contains("Denied") ? "Denied" : types.Contains("Approved") ? "Approved" : "Pending";
        if (types.Contains("Failed")) text += ",Failed";
        if (csr.Status?.Certificate is { Length: > 0 }) text += ",Issued";
        return text;
    }

    private static string Duration(TimeSpan d) =>
        d.TotalDays >= 2 ? $"{(int)d.TotalDays}d" : d.TotalHours >= 1 ? $"{(int)d.TotalHours}h" : d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes}m" : $"{(int)d.TotalSeconds}s";
}
