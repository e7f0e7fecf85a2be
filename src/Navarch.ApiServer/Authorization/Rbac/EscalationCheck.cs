using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Filters;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using k8s.Models;
using k8s;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>
/// Nobody grants what they do not hold (upstream's RBAC registry checks): writing a Role or ClusterRole needs every
/// rule it holds, or the <c>escalate</c> verb on it; writing a binding needs the referenced role's rules, or the
/// <c>bind</c> verb on that role. system:masters (and the insecure port) may do anything. The user comes from the
/// request being served; writes the server makes itself (no request) are its own and pass.
/// </summary>
public sealed class EscalationCheck(IRbacSource source, IHttpContextAccessor http)
{
    private const string Group = "rbac.authorization.k8s.io";

    public void Check(IKubernetesObject<V1ObjectMeta> obj)
    {
        if (http.HttpContext?.User() is not { } user || user.InGroup(UserInfo.Masters)) return;
        var ns = obj.Metadata.NamespaceProperty ?? "";
        var index = source.Current;
        switch (obj)
        {
            case V1ClusterRole { AggregationRule: not null } when !Allowed(index, user, "escalate", "clusterroles", "", obj.Metadata.Name):
                throw Refused(obj, "clusterroles", user, "must have cluster-admin privileges to use the aggregationRule");
            case V1ClusterRole role when !Allowed(index, user, "escalate", "clusterroles", "", role.Metadata.Name):
                RequireHeld(index, user, "", obj, "clusterroles", role.Rules ?? []);
                break;
            case V1Role role when !Allowed(index, user, "escalate", "roles", ns, role.Metadata.Name):
                RequireHeld(index, user, ns, obj, "roles", role.Rules ?? []);
                break;
            case V1ClusterRoleBinding binding:
                CheckBinding(index, user, "", obj, "clusterrolebindings", binding.RoleRef);
                break;
            case V1RoleBinding binding:
                CheckBinding(index, user, ns, obj, "rolebindings", binding.RoleRef);
                break;
        }
    }

    private static void CheckBinding(RbacIndex index, UserInfo user, string ns, IKubernetesObject<V1ObjectMeta> obj, string resource, V1RoleRef roleRef)
    {
        var roleResource = roleRef.Kind == "ClusterRole" ? "clusterroles" : "roles";
        if (Allowed(index, user, "bind", roleResource, roleRef.Kind == "ClusterRole" ? "" : ns, roleRef.Name)) return;
        if (index.Role(roleRef, ns) is not { } rules)
            throw Refused(obj, resource, user, $"{roleResource}.{Group} \"{roleRef.Name}\" not found");
        RequireHeld(index, user, ns, obj, resource, rules);
    }

    private static void RequireHeld(RbacIndex index, UserInfo user, string ns, IKubernetesObject<V1ObjectMeta> obj, string resource, IEnumerable<V1PolicyRule> rules)
    {
        var missing = RuleCoverage.Missing(index.RulesFor(user, ns).ToList(), rules);
        if (missing.Count > 0)
            throw Refused(obj, resource, user,
                $"user \"{user.Name}\" (groups=[{string.Join(" ", user.Groups.Select(g => $"\"{g}\""))}]) is attempting to grant RBAC permissions not currently held:\n{string.Join("\n", missing)}");
    }

    private static bool Allowed(RbacIndex index, UserInfo user, string verb, string resource, string ns, string name)
    {
        var attributes = new RequestAttributes(user, verb, true, "", Group, "v1", resource, "", ns, name);
        return index.RulesFor(user, ns).Any(r => RuleMatching.Allows(r, attributes));
    }

    private static ApiException Refused(IKubernetesObject<V1ObjectMeta> obj, string resource, UserInfo user, string why) =>
        new(403, "Forbidden", $"{resource}.{Group} \"{obj.Metadata.Name}\" is forbidden: {why}",
            new V1StatusDetails { Name = obj.Metadata.Name, Group = Group, Kind = resource });
}
