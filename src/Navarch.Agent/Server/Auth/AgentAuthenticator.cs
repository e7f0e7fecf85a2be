using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Navarch.Agent.Server.Auth;

/// <summary>
/// Finds who sent a request to the agent's server: a client certificate first (checked against the client CAs once
/// per connection: TLS accepts any certificate so that a wrong one gets upstream's 401 instead of a failed handshake),
/// then a bearer token (TokenReview), then anonymous if allowed.
/// </summary>
internal sealed class AgentAuthenticator(AgentAuthOptions options, TimeProvider time)
{
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string OrganizationOid = "2.5.4.10";
    private readonly ConditionalWeakTable<X509Certificate2, AgentUser?> _certificates = [];

    /// <summary>The user, or null: the request gets 401.</summary>
    public async Task<AgentUser?> AuthenticateAsync(HttpContext ctx)
    {
        var certificate = ctx.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        if (certificate is not null)
        {
            var now = time.GetUtcNow();
            // A certificate that is not (or no longer) valid is a bad credential: upstream stops there with 401.
            if (now > certificate.NotAfter || now < certificate.NotBefore) return null;
            return _certificates.GetValue(certificate, UserOf);
        }
        var header = ctx.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            if (token.Length == 0 || options.Reviews is null) return null;
            return await options.Reviews.ReviewTokenAsync(token, ctx.RequestAborted);
        }
        return options.AnonymousAuth ? AgentUser.Anonymous : null;
    }

    private AgentUser? UserOf(X509Certificate2 certificate)
    {
        if (!ChainsToClientCa(certificate)) return null;
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (string.IsNullOrEmpty(name)) return null;
        var groups = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == OrganizationOid)
            .Select(rdn => rdn.GetSingleElementValue() ?? "")
            .Where(o => o.Length > 0)
            .ToList();
        return new AgentUser(name, groups);
    }

    private bool ChainsToClientCa(X509Certificate2 certificate)
    {
        foreach (var root in options.ClientCas)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
            chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ClientAuth));
            if (chain.Build(certificate)) return true;
        }
        return false;
    }
}
