using Navarch.ApiServer.Authentication;

namespace Navarch.ApiServer.Authorization;

/// <summary>Upstream's node identifier: a user <c>system:node:NAME</c> in the group <c>system:nodes</c> is the node NAME.</summary>
public static class NodeIdentity
{
    public const string UserPrefix = "system:node:";
    public const string Group = "system:nodes";

    /// <summary>The node's name; null for anyone who is not a node; "" for a node user without a name.</summary>
    public static string? NodeName(UserInfo user) =>
        user.InGroup(Group) && user.Name.StartsWith(UserPrefix, StringComparison.Ordinal) ? user.Name[UserPrefix.Length..] : null;
}
