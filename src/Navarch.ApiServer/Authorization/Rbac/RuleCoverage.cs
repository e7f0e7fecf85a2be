using k8s.Models;
using Navarch.ApiServer.Authentication;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>
/// Whether a set of rules covers another (upstream's validation.Covers): every atomic permission a requested rule
/// names (one verb, group, resource, name or URL) is allowed by some owner rule. A wildcard asked for must be held
/// as a wildcard: holding every verb one by one does not cover "*".
/// </summary>
public static class RuleCoverage
{
    /// <summary>The atomic rules of <paramref name="requested"/> that <paramref name="owner"/> does not allow.</summary>
    public static List<string> Missing(IReadOnlyCollection<V1PolicyRule> owner, IEnumerable<V1PolicyRule> requested)
    {
        var missing = new List<string>();
        foreach (var rule in requested)
            foreach (var (attributes, text) in Atoms(rule))
                if (!owner.Any(o => RuleMatching.Allows(o, attributes))) missing.Add(text);
        return missing.Distinct().ToList();
    }

    private static readonly UserInfo Nobody = new("", []);

    private static IEnumerable<(RequestAttributes, string)> Atoms(V1PolicyRule rule)
    {
        foreach (var verb in rule.Verbs ?? [])
        {
            foreach (var url in rule.NonResourceURLs ?? [])
                yield return (new RequestAttributes(Nobody, verb, false, url), $"{{NonResourceURLs:[\"{url}\"], Verbs:[\"{verb}\"]}}");
            foreach (var group in rule.ApiGroups ?? [])
            {
                foreach (var resource in rule.Resources ?? [])
                {
                    var slash = resource.IndexOf('/');
                    var (plural, sub) = slash < 0 ? (resource, "") : (resource[..slash], resource[(slash + 1)..]);
                    var names = rule.ResourceNames is { Count: > 0 } ? rule.ResourceNames : [""];
                    foreach (var name in names)
                    {
                        var nameText = name.Length == 0 ? "" : $", ResourceNames:[\"{name}\"]";
                        yield return (new RequestAttributes(Nobody, verb, true, "", group, "", plural, sub, "", name),
                            $"{{APIGroups:[\"{group}\"], Resources:[\"{resource}\"]{nameText}, Verbs:[\"{verb}\"]}}");
                    }
                }
            }
        }
    }
}
