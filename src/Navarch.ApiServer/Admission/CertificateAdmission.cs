using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Authorization;

namespace Navarch.ApiServer.Admission;

/// <summary>
/// Upstream's <c>IsAuthorizedForSignerName</c>: whether <paramref name="user"/> may <paramref name="verb"/> resource
/// <c>signers</c> (group certificates.k8s.io) named the signer, or named its domain's wildcard <c>DOMAIN/*</c>.
/// </summary>
internal static class SignerAuthorization
{
    public static bool Allows(IAuthorizer authorizer, UserInfo user, string verb, string signerName)
    {
        bool Named(string name) => authorizer.Authorize(
            new RequestAttributes(user, verb, true, "", "certificates.k8s.io", "v1", "signers", "", "", name), out _) == Decision.Allow;
        if (Named(signerName)) return true;
        var slash = signerName.IndexOf('/');
        return slash > 0 && Named(signerName[..slash] + "/*");
    }
}

/// <summary>
/// Upstream's CertificateApproval: changing a CSR's conditions through the <c>approval</c> subresource (approve or deny)
/// needs the <c>approve</c> verb on the request's signer, besides RBAC's <c>update</c> on
/// <c>certificatesigningrequests/approval</c>.
/// </summary>
public sealed class CertificateApproval(IAuthorizer authorizer) : IValidatingAdmission
{
    public string Name => AdmissionPluginNames.CertificateApproval;

    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Update;

    public Task ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Resource != ResourceCatalog.CertificateSigningRequests || a.Subresource != "approval" || a.Object is not V1CertificateSigningRequest csr)
            return Task.CompletedTask;
        var signer = csr.Spec?.SignerName ?? "";
        if (!SignerAuthorization.Allows(authorizer, a.User, "approve", signer))
            throw a.Forbidden($"user not permitted to approve requests with signerName \"{signer}\"");
        return Task.CompletedTask;
    }
}

/// <summary>
/// Upstream's CertificateSigning: setting or changing a CSR's certificate through the <c>status</c> subresource needs
/// the <c>sign</c> verb on the request's signer.
/// </summary>
public sealed class CertificateSigning(IAuthorizer authorizer) : IValidatingAdmission
{
    public string Name => AdmissionPluginNames.CertificateSigning;

    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Update;

    public Task ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Resource != ResourceCatalog.CertificateSigningRequests || a.Subresource != "status"
            || a.Object is not V1CertificateSigningRequest csr || a.OldObject is not V1CertificateSigningRequest old)
            return Task.CompletedTask;
        if ((csr.Status?.Certificate ?? []).AsSpan().SequenceEqual(old.Status?.Certificate ?? [])) return Task.CompletedTask;
        var signer = csr.Spec?.SignerName ?? "";
        if (!SignerAuthorization.Allows(authorizer, a.User, "sign", signer))
            throw a.Forbidden($"user not permitted to sign requests with signerName \"{signer}\"");
        return Task.CompletedTask;
    }
}
