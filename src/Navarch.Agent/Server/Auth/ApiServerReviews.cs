using k8s;
using k8s.Models;

namespace Navarch.Agent.Server.Auth;

/// <summary>
/// <see cref="IAgentReviews"/> through the API server's TokenReview and SubjectAccessReview, with the answers cached
/// (upstream kubelet's defaults: tokens 2 min; access 5 min when allowed, 30 s when denied).
/// </summary>
public sealed class ApiServerReviews(IKubernetes client, TimeProvider time) : IAgentReviews
{
    private static readonly TimeSpan TokenTtl = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan AllowedTtl = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DeniedTtl = TimeSpan.FromSeconds(30);

    private readonly ExpiringCache<string, AgentUser?> _tokens = new(time);
    private readonly ExpiringCache<string, bool> _access = new(time);

    public async Task<AgentUser?> ReviewTokenAsync(string token, CancellationToken ct)
    {
        if (_tokens.TryGet(token, out var cached)) return cached;
        var review = await client.AuthenticationV1.CreateTokenReviewAsync(
            new V1TokenReview { ApiVersion = "authentication.k8s.io/v1", Kind = "TokenReview", Spec = new V1TokenReviewSpec { Token = token } },
            cancellationToken: ct);
        var info = review.Status is { Authenticated: true, User: { } u } ? u : null;
        var user = info is null ? null : new AgentUser(info.Username ?? "", info.Groups?.ToList() ?? [], info.Uid ?? "");
        _tokens.Set(token, user, user is null ? DeniedTtl : TokenTtl);
        return user;
    }

    public async Task<bool> AllowedAsync(AgentUser user, string verb, string subresource, string nodeName, CancellationToken ct)
    {
        var key = $"{user.Name}\n{string.Join(',', user.Groups)}\n{verb}\n{subresource}\n{nodeName}";
        if (_access.TryGet(key, out var cached)) return cached;
        var review = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SubjectAccessReview",
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user.Name,
                Groups = user.Groups.ToList(),
                Uid = user.Uid.Length > 0 ? user.Uid : null,
                ResourceAttributes = new V1ResourceAttributes
                {
                    Verb = verb, Group = "", Version = "v1", Resource = AgentRequestAttributes.Resource, Subresource = subresource, Name = nodeName,
                },
            },
        }, cancellationToken: ct);
        var allowed = review.Status?.Allowed == true;
        _access.Set(key, allowed, allowed ? AllowedTtl : DeniedTtl);
        return allowed;
    }
}
