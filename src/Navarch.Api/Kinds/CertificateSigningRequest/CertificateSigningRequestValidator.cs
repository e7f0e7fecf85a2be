using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.CertificateSigningRequest;

/// <summary>CSRs: upstream's ValidateCertificateSigningRequest, for the fields Navarch reads.</summary>
public static class CertificateSigningRequestValidator
{
    private static readonly string[] ConditionTypes = ["Approved", "Denied", "Failed"];

    public static void Validate(V1CertificateSigningRequest csr, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(csr.Metadata, namespaced: false, NameRules.DnsSubdomain, "metadata", errors);
        var spec = csr.Spec;
        if (spec?.Request is not { Length: > 0 }) errors.Add(FieldError.Required("spec.request"));
        else if (Parse(spec.Request) is null) errors.Add(FieldError.Invalid("spec.request", "<bytes>", "PEM block type must be CERTIFICATE REQUEST"));
        if (string.IsNullOrEmpty(spec?.SignerName)) errors.Add(FieldError.Required("spec.signerName"));
        else if (spec.SignerName.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
            errors.Add(FieldError.Invalid("spec.signerName", spec.SignerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
        if (spec?.Usages is not { Count: > 0 }) errors.Add(FieldError.Required("spec.usages"));
        if (spec?.ExpirationSeconds is < 600) errors.Add(FieldError.Invalid("spec.expirationSeconds", spec.ExpirationSeconds.Value, "may not specify a duration less than 600 seconds (10 minutes)"));
        ValidateConditions(csr, errors);
    }

    public static void ValidateUpdate(V1CertificateSigningRequest csr, V1CertificateSigningRequest old, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMetaUpdate(csr.Metadata, old.Metadata, "metadata", errors);
        if (!SameBytes(csr.Spec?.Request, old.Spec?.Request) || csr.Spec?.SignerName != old.Spec?.SignerName || csr.Spec?.Username != old.Spec?.Username)
            errors.Add(FieldError.Forbidden("spec", "field is immutable"));
        ValidateConditions(csr, errors);
        if (old.Status?.Certificate is { Length: > 0 } issued && !SameBytes(csr.Status?.Certificate, issued))
            errors.Add(FieldError.Forbidden("status.certificate", "updates may not modify existing certificate content"));
    }

    /// <summary>The request's PEM (<c>CERTIFICATE REQUEST</c>) as .NET reads it, or null when it is not one.</summary>
    public static CertificateRequest? Parse(byte[] pem)
    {
        try
        {
            return CertificateRequest.LoadSigningRequestPem(Encoding.ASCII.GetString(pem), HashAlgorithmName.SHA256,
                CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private static void ValidateConditions(V1CertificateSigningRequest csr, List<FieldError> errors)
    {
        var conditions = csr.Status?.Conditions ?? [];
        for (var i = 0; i < conditions.Count; i++)
        {
            if (string.IsNullOrEmpty(conditions[i].Type)) errors.Add(FieldError.Required($"status.conditions[{i}].type"));
            else if (ConditionTypes.Contains(conditions[i].Type) && conditions.Take(i).Any(c => c.Type == conditions[i].Type))
                errors.Add(FieldError.Duplicate($"status.conditions[{i}].type", conditions[i].Type));
        }
        var types = conditions.Select(c => c.Type).ToHashSet();
        if (types.Contains("Approved") && types.Contains("Denied"))
            errors.Add(FieldError.Invalid("status.conditions", "Approved", "Approved and Denied conditions are mutually exclusive"));
    }

    private static bool SameBytes(byte[]? a, byte[]? b) => (a ?? []).AsSpan().SequenceEqual(b ?? []);
}
