namespace Navarch.Agent.Server.Auth;

/// <summary>
/// The questions the agent asks its API server, as upstream's kubelet does with its webhook authenticator and
/// authorizer: whose is this bearer token (TokenReview), and may this user do this to this node (SubjectAccessReview).
/// </summary>
public interface IAgentReviews
{
    /// <summary>The token's user, or null when the API server does not know the token.</summary>
    Task<AgentUser?> ReviewTokenAsync(string token, CancellationToken ct);

    /// <summary>Whether <paramref name="user"/> may <paramref name="verb"/> <c>nodes/<paramref name="subresource"/></c> named <paramref name="nodeName"/>.</summary>
    Task<bool> AllowedAsync(AgentUser user, string verb, string subresource, string nodeName, CancellationToken ct);
}
