using System.Security.Cryptography.X509Certificates;

namespace Navarch.Agent.Server.Auth;

/// <summary>
/// Who may use the agent's server, as upstream kubelet's <c>authentication</c>/<c>authorization</c> configuration:
/// client certificates chaining to <see cref="ClientCas"/> (<c>--client-ca-file</c>; CN the user, O the groups),
/// bearer tokens the API server vouches for (TokenReview), and every request then checked with a SubjectAccessReview
/// (<c>--authorization-mode Webhook</c>) unless <see cref="AlwaysAllow"/>.
/// </summary>
public sealed record AgentAuthOptions
{
    /// <summary>The roots a client certificate must chain to (the cluster CA); empty: no certificate is accepted.</summary>
    public required X509Certificate2Collection ClientCas { get; init; }

    /// <summary>TokenReview and SubjectAccessReview at the API server; null: no token is accepted, and only <see cref="AlwaysAllow"/> authorizes.</summary>
    public IAgentReviews? Reviews { get; init; }

    /// <summary>Whether a request with no credential is <c>system:anonymous</c> (<c>--anonymous-auth</c>) rather than a 401.</summary>
    public bool AnonymousAuth { get; init; }

    /// <summary>Whether every authenticated request is allowed (<c>--authorization-mode AlwaysAllow</c>) instead of asking the API server.</summary>
    public bool AlwaysAllow { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the flag when the settings cannot authorize anything.</summary>
    public void Validate()
    {
        if (!AlwaysAllow && Reviews is null)
            throw new ArgumentException("--authorization-mode Webhook needs the API server to ask (SubjectAccessReview)");
    }
}
