namespace Navarch.ApiServer.Authorization;

public enum Decision { NoOpinion, Allow, Deny }

/// <summary>
/// Decides whether a request may go on, as upstream's <c>authorizer.Authorizer</c>. Answers NoOpinion when it has
/// nothing to say (the next authorizer decides; when none does, the request is forbidden). Runs on every request,
/// so it answers from memory, synchronously. The reason, if any, is appended to the 403 message.
/// </summary>
public interface IAuthorizer
{
    Decision Authorize(RequestAttributes attributes, out string reason);
}

/// <summary>Asks each authorizer in turn; the first Allow or Deny decides.</summary>
public sealed class UnionAuthorizer(IReadOnlyList<IAuthorizer> authorizers) : IAuthorizer
{
    public Decision Authorize(RequestAttributes attributes, out string reason)
    {
        var reasons = new List<string>();
        foreach (var authorizer in authorizers)
        {
            var decision = authorizer.Authorize(attributes, out var why);
            if (why.Length > 0) reasons.Add(why);
            if (decision != Decision.NoOpinion)
            {
                reason = string.Join("\n", reasons);
                return decision;
            }
        }
        reason = string.Join("\n", reasons);
        return Decision.NoOpinion;
    }
}

/// <summary>
/// <c>system:masters</c> may do anything, before and regardless of RBAC, as upstream's privileged-group authorizer:
/// the admin keeps access even with every role deleted.
/// </summary>
public sealed class PrivilegedGroupAuthorizer : IAuthorizer
{
    public Decision Authorize(RequestAttributes attributes, out string reason)
    {
        reason = "";
        return attributes.User.InGroup(Authentication.UserInfo.Masters) ? Decision.Allow : Decision.NoOpinion;
    }
}
