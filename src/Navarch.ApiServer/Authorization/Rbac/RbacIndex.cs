using k8s.Models;
using Navarch.Api.Selectors;
using Navarch.ApiServer.Authentication;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>
/// Roles and bindings arranged for lookups by subject: a request costs one dictionary probe per user name and group
/// (plus its namespace), however many bindings exist. Immutable; rebuilt when a role or binding changes.
/// ClusterRoles with an aggregationRule get the rules of the ClusterRoles their selectors match.
/// </summary>
public sealed class RbacIndex
{
    private readonly Dictionary<string, IReadOnlyList<V1PolicyRule>> _clusterRoles;
    private readonly Dictionary<(string Namespace, string Name), IReadOnlyList<V1PolicyRule>> _roles;
    private readonly Dictionary<string, List<(V1RoleRef Role, string Binding)>> _clusterBindings = [];
    private readonly Dictionary<(string Namespace, string Subject), List<(V1RoleRef Role, string Binding)>> _bindings = [];

    public static RbacIndex Empty { get; } = new([], [], [], []);

    public RbacIndex(
        IEnumerable<V1ClusterRole> clusterRoles, IEnumerable<V1Role> roles,
        IEnumerable<V1ClusterRoleBinding> clusterRoleBindings, IEnumerable<V1RoleBinding> roleBindings)
    {
        var clusterRoleList = clusterRoles.ToList();
        _clusterRoles = clusterRoleList.ToDictionary(r => r.Metadata.Name, r => (IReadOnlyList<V1PolicyRule>)Aggregate(r, clusterRoleList));
        _roles = roles.ToDictionary(r => (r.Metadata.NamespaceProperty ?? "", r.Metadata.Name), r => (IReadOnlyList<V1PolicyRule>)(r.Rules?.ToList() ?? []));
        foreach (var b in clusterRoleBindings)
            foreach (var s in b.Subjects ?? [])
                if (SubjectKey(s, null) is { } key) Add(_clusterBindings, key, (b.RoleRef, b.Metadata.Name));
        foreach (var b in roleBindings)
        {
            var ns = b.Metadata.NamespaceProperty ?? "";
            foreach (var s in b.Subjects ?? [])
                if (SubjectKey(s, ns) is { } key) Add(_bindings, (ns, key), (b.RoleRef, b.Metadata.Name));
        }
    }

    /// <summary>Every rule that applies to <paramref name="user"/> in <paramref name="ns"/> ("" for cluster-wide ones only), cluster rules first.</summary>
    public IEnumerable<V1PolicyRule> RulesFor(UserInfo user, string ns)
    {
        foreach (var key in Keys(user))
        {
            if (_clusterBindings.TryGetValue(key, out var refs))
                foreach (var (role, _) in refs)
                    foreach (var rule in Resolve(role, ""))
                        yield return rule;
        }
        if (ns.Length == 0) yield break;
        foreach (var key in Keys(user))
        {
            if (_bindings.TryGetValue((ns, key), out var refs))
                foreach (var (role, _) in refs)
                    foreach (var rule in Resolve(role, ns))
                        yield return rule;
        }
    }

    /// <summary>The rules of the role a binding in <paramref name="ns"/> refers to; null when it does not exist.</summary>
    public IReadOnlyList<V1PolicyRule>? Role(V1RoleRef role, string ns) => role.Kind switch
    {
        "ClusterRole" => _clusterRoles.GetValueOrDefault(role.Name),
        "Role" => _roles.GetValueOrDefault((ns, role.Name)),
        _ => null,
    };

    private IReadOnlyList<V1PolicyRule> Resolve(V1RoleRef role, string ns) => role.Kind switch
    {
        "ClusterRole" => _clusterRoles.GetValueOrDefault(role.Name) ?? [],
        "Role" => _roles.GetValueOrDefault((ns, role.Name)) ?? [],
        _ => [],
    };

    private static IEnumerable<string> Keys(UserInfo user)
    {
        yield return "User:" + user.Name;
        foreach (var g in user.Groups) yield return "Group:" + g;
    }

    /// <summary>A binding subject as the key <see cref="Keys"/> produces; a ServiceAccount is its user name.</summary>
    private static string? SubjectKey(Rbacv1Subject s, string? bindingNamespace) => s.Kind switch
    {
        "User" => "User:" + s.Name,
        "Group" => "Group:" + s.Name,
        "ServiceAccount" => $"User:system:serviceaccount:{(string.IsNullOrEmpty(s.NamespaceProperty) ? bindingNamespace : s.NamespaceProperty)}:{s.Name}",
        _ => null,
    };

    /// <summary>
    /// A ClusterRole's own rules plus, for an aggregated one, the (themselves aggregated) rules of every ClusterRole
    /// its selectors match: upstream's aggregation controller writes these into the role; here they are resolved on
    /// rebuild, so edit (labelled into admin) brings view's rules into admin too.
    /// </summary>
    private static List<V1PolicyRule> Aggregate(V1ClusterRole role, List<V1ClusterRole> all, HashSet<string>? visiting = null)
    {
        var rules = role.Rules?.ToList() ?? [];
        var selectors = role.AggregationRule?.ClusterRoleSelectors;
        if (selectors is not { Count: > 0 }) return rules;
        visiting ??= [];
        if (!visiting.Add(role.Metadata.Name)) return rules; // a cycle of aggregations
        foreach (var selector in selectors.Select(LabelSelector.FromLabelSelector))
            foreach (var other in all)
                if (!ReferenceEquals(other, role) && !visiting.Contains(other.Metadata.Name) && selector.Matches(other.Metadata.Labels))
                    rules.AddRange(Aggregate(other, all, visiting));
        visiting.Remove(role.Metadata.Name);
        return rules.DistinctBy(r => System.Text.Json.JsonSerializer.Serialize(r)).ToList();
    }

    private static void Add<TKey>(Dictionary<TKey, List<(V1RoleRef, string)>> map, TKey key, (V1RoleRef, string) value) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(value);
    }
}
