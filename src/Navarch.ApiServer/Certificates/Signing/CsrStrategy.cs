using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Resources;
using Navarch.ApiServer.Filters;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Certificates.Signing;

/// <summary>
/// How CertificateSigningRequests are written: on create the requester's identity is recorded in the spec (upstream's
/// PrepareForCreate), the <c>approval</c> subresource changes the conditions and nothing else, and an approved request
/// is signed as it is written (create or approval), so the certificate is there when the write returns: upstream's
/// approving and signing controllers, run in the write path instead of after a watch.
/// </summary>
public sealed class CsrStrategy(IHttpContextAccessor http, CsrAutoApprover approver, CsrSigner? signer, TimeProvider time)
    : ResourceStrategy(ResourceCatalog.CertificateSigningRequests)
{
    public override bool HasWriteHooks => true;

    public override void PrepareForCreate(JsonObject json)
    {
        base.PrepareForCreate(json);
        if (http.HttpContext?.User() is not { } user) return;
        if (json["spec"] is not JsonObject spec) json["spec"] = spec = new JsonObject();
        spec["username"] = user.Name;
        spec["uid"] = user.Uid.Length > 0 ? user.Uid : null;
        spec["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray());
        spec.Remove("extra");
    }

    public override JsonObject PrepareForUpdate(JsonObject json, JsonObject old, string? subresource)
    {
        if (subresource != "approval") return base.PrepareForUpdate(json, old, subresource);
        var merged = (JsonObject)old.DeepClone();
        if (merged["status"] is not JsonObject status) merged["status"] = status = new JsonObject();
        status["conditions"] = json["status"]?["conditions"]?.DeepClone();
        if (json["metadata"]?["resourceVersion"] is { } rv) ((JsonObject)merged["metadata"]!)["resourceVersion"] = rv.DeepClone();
        return merged;
    }

    public override Task<Func<CancellationToken, Task>?> BeforeCreateAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken ct)
    {
        var csr = (V1CertificateSigningRequest)obj;
        if (CsrContent.Read(csr) is { } content && approver.Decide(csr, content) is { } message)
            AddCondition(csr, "Approved", "AutoApproved", message);
        SignIfApproved(csr);
        return base.BeforeCreateAsync(obj, ct);
    }

    public override Task<Func<CancellationToken, Task>?> BeforeUpdateAsync(IKubernetesObject<V1ObjectMeta> obj, IKubernetesObject<V1ObjectMeta> old, CancellationToken ct)
    {
        var csr = (V1CertificateSigningRequest)obj;
        // kubectl certificate approve sends conditions whose times protobuf decoding leaves out: stamp them.
        foreach (var condition in csr.Status?.Conditions ?? [])
        {
            condition.LastUpdateTime ??= time.GetUtcNow().UtcDateTime;
            condition.LastTransitionTime ??= condition.LastUpdateTime;
        }
        SignIfApproved(csr);
        return base.BeforeUpdateAsync(obj, old, ct);
    }

    private void SignIfApproved(V1CertificateSigningRequest csr)
    {
        var types = (csr.Status?.Conditions ?? []).Select(c => c.Type).ToHashSet();
        if (signer is null || !types.Contains("Approved") || types.Contains("Denied") || types.Contains("Failed")
            || csr.Status?.Certificate is { Length: > 0 } || !CsrSigner.Handles(csr.Spec?.SignerName))
            return;
        var (certificate, refusal) = signer.Sign(csr);
        if (certificate is not null) csr.Status!.Certificate = certificate;
        else AddCondition(csr, "Failed", "SignerValidationFailure", refusal!);
    }

    private void AddCondition(V1CertificateSigningRequest csr, string type, string reason, string message)
    {
        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Conditions ??= [];
        var now = time.GetUtcNow().UtcDateTime;
        csr.Status.Conditions.Add(new V1CertificateSigningRequestCondition
        {
            Type = type, Status = "True", Reason = reason, Message = message, LastUpdateTime = now, LastTransitionTime = now,
        });
    }
}
