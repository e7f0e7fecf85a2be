using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.CertificateSigningRequest;

/// <summary>
/// certificates.k8s.io/v1 CertificateSigningRequest (short name csr), cluster-scoped, with the <c>approval</c>
/// subresource (conditions Approved/Denied: <c>kubectl certificate approve|deny</c>) and <c>status</c> (the signer's
/// certificate).
/// </summary>
public sealed class CertificateSigningRequestKind() : KindDefinition<V1CertificateSigningRequest>(ResourceType.Create<V1CertificateSigningRequest>(
    "certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", namespaced: false,
    shortNames: ["csr"], subresources: ["status", "approval"]))
{
    internal override RowPrinter Printer { get; } = new CertificateSigningRequestRowPrinter();

    protected override void Validate(V1CertificateSigningRequest csr, List<FieldError> errors) => CertificateSigningRequestValidator.Validate(csr, errors);

    protected override void ValidateUpdate(V1CertificateSigningRequest csr, V1CertificateSigningRequest old, List<FieldError> errors) =>
        CertificateSigningRequestValidator.ValidateUpdate(csr, old, errors);
}
