using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Resources;
using Navarch.Api.ServiceAccounts;
using Navarch.Api.Validation;
using Navarch.ApiServer.Filters;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// <c>POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token</c> (authentication.k8s.io/v1 TokenRequest, what
/// <c>kubectl create token</c> sends): a token for the ServiceAccount, bound to a Pod, Secret or Node when asked,
/// for the audiences asked (the API's by default), valid for expirationSeconds (default 3600, at least 600).
/// Nothing is stored; the answer is 201 with the token in status (upstream's pkg/registry/core/serviceaccount/storage/token.go).
/// </summary>
public sealed class TokenRequestHandler(ObjectRegistry registry, ServiceAccountTokens tokens, TimeProvider time)
{
    public const long DefaultExpirationSeconds = 3600;
    public const long MinExpirationSeconds = 600;
    private const long MaxExpirationSeconds = 1L << 32;
    private const string Kind = "TokenRequest";
    private const string Group = "authentication.k8s.io";

    public async Task CreateAsync(HttpContext ctx, RequestInfo info)
    {
        var ns = info.Namespace!;
        var name = info.Name!;
        var request = await ReadAsync(ctx);
        var spec = request.Spec ??= new V1TokenRequestSpec();
        spec.ExpirationSeconds ??= DefaultExpirationSeconds;
        if (spec.Audiences is not { Count: > 0 }) spec.Audiences = tokens.ApiAudiences.ToList();
        Validate(name, spec);

        var account = (await registry.GetAsync(ResourceCatalog.ServiceAccounts, ns, name, ctx.RequestAborted)).Object;
        var (pod, secret, node) = await BoundObjectsAsync(ns, name, spec.BoundObjectRef, ctx.RequestAborted);
        // Whole seconds, as the claims hold them, so expirationTimestamp matches exp.
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().ToUnixTimeSeconds());
        var claims = ServiceAccountClaims.Bound(tokens.Issuers[0], spec.Audiences.ToList(), issuedAt, spec.ExpirationSeconds.Value, ns,
            new ObjectRef(name, account.Metadata.Uid), pod, secret, node, Guid.NewGuid().ToString());

        request.ApiVersion = $"{Group}/v1";
        request.Kind = Kind;
        request.Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, CreationTimestamp = issuedAt.UtcDateTime };
        request.Status = new V1TokenRequestStatus
        {
            Token = JsonWebToken.Sign(claims, tokens.Keys.Signing, tokens.Keys.KeyId),
            ExpirationTimestamp = issuedAt.AddSeconds(spec.ExpirationSeconds.Value).UtcDateTime,
        };
        await Responses.WriteObjectAsync(ctx, 201, request);
    }

    private static void Validate(string name, V1TokenRequestSpec spec)
    {
        var errors = new List<FieldError>();
        if (spec.ExpirationSeconds < MinExpirationSeconds)
            errors.Add(FieldError.Invalid("spec.expirationSeconds", spec.ExpirationSeconds.Value, "may not specify a duration less than 10 minutes"));
        if (spec.ExpirationSeconds > MaxExpirationSeconds)
            errors.Add(FieldError.Invalid("spec.expirationSeconds", spec.ExpirationSeconds.Value, "may not specify a duration larger than 2^32 seconds"));
        if (errors.Count == 0) return;
        throw ApiException.Invalid(Kind, name, ObjectValidator.InvalidMessage($"{Kind}.{Group}", name, errors),
            errors.Select(e => new V1StatusCause { Reason = e.Reason, Field = e.Field, Message = e.Message[(e.Field.Length + 2)..] }), Group);
    }

    /// <summary>The Pod (and its Node), Secret or Node the token is bound to; 404 when missing, 409 when its uid differs.</summary>
    private async Task<(ObjectRef? Pod, ObjectRef? Secret, ObjectRef? Node)> BoundObjectsAsync(
        string ns, string serviceAccount, V1BoundObjectReference? reference, CancellationToken ct)
    {
        if (reference is null) return (null, null, null);
        var group = (reference.ApiVersion ?? "").Contains('/') ? reference.ApiVersion![..reference.ApiVersion!.IndexOf('/')] : "";
        var rt = (group, reference.Kind) switch
        {
            ("", "Pod") => ResourceCatalog.Pods,
            ("", "Secret") => ResourceCatalog.Secrets,
            ("", "Node") => ResourceCatalog.Nodes,
            _ => throw ApiException.BadRequest($"cannot bind token for object of type {reference.ApiVersion}, Kind={reference.Kind}"),
        };
        if (string.IsNullOrEmpty(reference.Name)) throw ApiException.BadRequest("spec.boundObjectRef.name: Required value");
        var found = (await registry.GetAsync(rt, rt.Namespaced ? ns : null, reference.Name, ct)).Object;
        if (!string.IsNullOrEmpty(reference.Uid) && reference.Uid != found.Metadata.Uid)
            throw ApiException.Conflict(reference.Kind, reference.Name,
                $"the UID in the bound object reference ({reference.Uid}) does not match the UID in record. The object might have been deleted and then recreated");
        var bound = new ObjectRef(found.Metadata.Name, found.Metadata.Uid);
        switch (found)
        {
            case V1Pod pod:
                if ((pod.Spec?.ServiceAccountName is { Length: > 0 } sa ? sa : "default") != serviceAccount)
                    throw ApiException.BadRequest($"cannot bind token for serviceaccount \"{serviceAccount}\" to pod running with different serviceaccount name.");
                // Upstream (1.30+) also names the pod's node, so a node can tell its own pods' tokens.
                ObjectRef? node = null;
                if (pod.Spec?.NodeName is { Length: > 0 } nodeName && await registry.TryGetAsync(ResourceCatalog.Nodes, null, nodeName, ct) is { } n)
                    node = new ObjectRef(nodeName, n.Object.Metadata.Uid);
                return (bound, null, node);
            case V1Secret:
                return (null, bound, null);
            default:
                return (null, null, bound);
        }
    }

    /// <summary>The request as JSON, or as protobuf (kubectl's typed client); an empty body asks for the defaults.</summary>
    private static async Task<Authenticationv1TokenRequest> ReadAsync(HttpContext ctx)
    {
        var body = await Authorization.ReviewEndpoints.ReadBytesAsync(ctx);
        return RequestBody.DecodePosted<Authenticationv1TokenRequest>(body.Span, MediaTypes.ContentType(ctx.Request)) ?? new Authenticationv1TokenRequest();
    }
}
