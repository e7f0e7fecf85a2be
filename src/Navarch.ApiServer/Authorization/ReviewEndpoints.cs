using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Authorization.Rbac;
using Navarch.ApiServer.Filters;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.ServiceAccounts;
using k8s.Models;
using k8s;

namespace Navarch.ApiServer.Authorization;

/// <summary>
/// The create-only review resources: who am I (SelfSubjectReview), may I / may they (Self/Local/SubjectAccessReview),
/// what may I (SelfSubjectRulesReview), and whose is this token (TokenReview). Nothing is stored; the answer is
/// the request with its status filled, 201 as upstream.
/// </summary>
public static class ReviewEndpoints
{
    private const string Authz = "/apis/authorization.k8s.io/v1";
    private const string Authn = "/apis/authentication.k8s.io";

    public static void Map(IEndpointRouteBuilder app)
    {
        var authorizer = app.ServiceProvider.GetRequiredService<IAuthorizer>();
        var rbac = app.ServiceProvider.GetRequiredService<IRbacSource>();
        var tokenReviewer = new TokenReviewer(app.ServiceProvider.GetRequiredService<IAuthenticator>(),
            app.ServiceProvider.GetRequiredService<ServiceAccountAuthenticator>(), app.ServiceProvider.GetRequiredService<ServiceAccountTokens>());

        app.MapPost(Authz + "/selfsubjectaccessreviews", async ctx =>
        {
            var review = await ReadAsync<V1SelfSubjectAccessReview>(ctx);
            review.Status = Decide(authorizer, ctx.User()!, review.Spec?.ResourceAttributes, review.Spec?.NonResourceAttributes);
            await WriteAsync(ctx, review, "authorization.k8s.io/v1", "SelfSubjectAccessReview");
        });
        app.MapPost(Authz + "/subjectaccessreviews", async ctx =>
        {
            var review = await ReadAsync<V1SubjectAccessReview>(ctx);
            review.Status = Decide(authorizer, Subject(review.Spec), review.Spec?.ResourceAttributes, review.Spec?.NonResourceAttributes);
            await WriteAsync(ctx, review, "authorization.k8s.io/v1", "SubjectAccessReview");
        });
        app.MapPost(Authz + "/namespaces/{namespace}/localsubjectaccessreviews", async (HttpContext ctx, string @namespace) =>
        {
            var review = await ReadAsync<V1LocalSubjectAccessReview>(ctx);
            if (review.Spec?.ResourceAttributes is null || review.Spec.ResourceAttributes.NamespaceProperty != @namespace)
                throw ApiException.BadRequest($"spec.resourceAttributes.namespace: must be \"{@namespace}\", the namespace of the request");
            review.Status = Decide(authorizer, Subject(review.Spec), review.Spec.ResourceAttributes, null);
            await WriteAsync(ctx, review, "authorization.k8s.io/v1", "LocalSubjectAccessReview");
        });
        app.MapPost(Authz + "/selfsubjectrulesreviews", async ctx =>
        {
            var review = await ReadAsync<V1SelfSubjectRulesReview>(ctx);
            review.Status = Rules(rbac.Current, ctx.User()!, review.Spec?.NamespaceProperty ?? "");
            await WriteAsync(ctx, review, "authorization.k8s.io/v1", "SelfSubjectRulesReview");
        });
        foreach (var version in new[] { "v1", "v1beta1" })
        {
            app.MapPost($"{Authn}/{version}/selfsubjectreviews", async ctx =>
            {
                var review = await ReadAsync<V1SelfSubjectReview>(ctx);
                review.Status = new V1SelfSubjectReviewStatus { UserInfo = TokenReviewer.ToV1(ctx.User()!) };
                await WriteAsync(ctx, review, $"authentication.k8s.io/{version}", "SelfSubjectReview");
            });
        }
        app.MapPost(Authn + "/v1/tokenreviews", async ctx =>
        {
            var review = await ReadAsync<V1TokenReview>(ctx);
            review.Status = await tokenReviewer.ReviewAsync(review.Spec, ctx.RequestAborted);
            await WriteAsync(ctx, review, "authentication.k8s.io/v1", "TokenReview");
        });
    }

    private static V1SubjectAccessReviewStatus Decide(IAuthorizer authorizer, UserInfo user, V1ResourceAttributes? resource, V1NonResourceAttributes? nonResource)
    {
        RequestAttributes attributes;
        if (resource is not null)
            attributes = new RequestAttributes(user, resource.Verb ?? "", true, "", resource.Group ?? "", resource.Version ?? "",
                resource.Resource ?? "", resource.Subresource ?? "", resource.NamespaceProperty ?? "", resource.Name ?? "");
        else if (nonResource is not null)
            attributes = new RequestAttributes(user, nonResource.Verb ?? "", false, nonResource.Path ?? "");
        else
            throw ApiException.BadRequest("spec: exactly one of resourceAttributes or nonResourceAttributes must be set");
        var decision = authorizer.Authorize(attributes, out var reason);
        return new V1SubjectAccessReviewStatus
        {
            Allowed = decision == Decision.Allow,
            Denied = decision == Decision.Deny ? true : null,
            Reason = reason.Length > 0 ? reason : null,
        };
    }

    private static UserInfo Subject(V1SubjectAccessReviewSpec? spec)
    {
        if (spec is null || (string.IsNullOrEmpty(spec.User) && spec.Groups is not { Count: > 0 }))
            throw ApiException.BadRequest("spec.user: at least one of user or group must be specified");
        return new UserInfo(spec.User ?? "", spec.Groups?.ToList() ?? [], spec.Uid ?? "");
    }

    private static V1SubjectRulesReviewStatus Rules(RbacIndex index, UserInfo user, string ns)
    {
        var rules = index.RulesFor(user, ns).ToList();
        return new V1SubjectRulesReviewStatus
        {
            ResourceRules = rules.Where(r => r.NonResourceURLs is not { Count: > 0 }).Select(r => new V1ResourceRule
            {
                Verbs = r.Verbs, ApiGroups = r.ApiGroups, Resources = r.Resources, ResourceNames = r.ResourceNames,
            }).ToList(),
            NonResourceRules = rules.Where(r => r.NonResourceURLs is { Count: > 0 }).Select(r => new V1NonResourceRule
            {
                Verbs = r.Verbs, NonResourceURLs = r.NonResourceURLs,
            }).ToList(),
            Incomplete = false,
        };
    }

    /// <summary>Decodes a review sent as JSON, or as protobuf (kubectl's typed clients); 400 when it can't be decoded.</summary>
    private static async Task<T> ReadAsync<T>(HttpContext ctx)
    {
        var body = await ReadBytesAsync(ctx);
        return RequestBody.DecodePosted<T>(body.Span, MediaTypes.ContentType(ctx.Request)) ?? throw ApiException.BadRequest("the request body is empty");
    }

    /// <summary>Reviews are small; 64 KiB is plenty and bounds what a client can make us buffer.</summary>
    internal static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpContext ctx)
    {
        const int limit = 64 * 1024;
        if (ctx.Request.ContentLength > limit) throw ApiException.TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted)) > 0)
        {
            if (buffer.Length + n > limit) throw ApiException.TooLarge();
            buffer.Write(chunk, 0, n);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static Task WriteAsync<T>(HttpContext ctx, T review, string apiVersion, string kind) where T : IKubernetesObject<V1ObjectMeta>
    {
        review.ApiVersion = apiVersion;
        review.Kind = kind;
        review.Metadata ??= new V1ObjectMeta();
        return Responses.WriteObjectAsync(ctx, 201, review);
    }
}
