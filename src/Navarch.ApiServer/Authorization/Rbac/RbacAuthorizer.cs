namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>Where the RBAC authorizer reads roles and bindings: the current index, rebuilt by its owner when they change.</summary>
public interface IRbacSource
{
    RbacIndex Current { get; }
}

/// <summary>Allows a request when a rule of a role bound to the user (or one of its groups) covers it; otherwise no opinion.</summary>
public sealed class RbacAuthorizer(IRbacSource source) : IAuthorizer
{
    public Decision Authorize(RequestAttributes attributes, out string reason)
    {
        reason = "";
        foreach (var rule in source.Current.RulesFor(attributes.User, attributes.Namespace))
            if (RuleMatching.Allows(rule, attributes)) return Decision.Allow;
        return Decision.NoOpinion;
    }
}
