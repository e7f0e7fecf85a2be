using k8s.Models;

namespace Navarch.ApiServer.Authorization.Rbac;

/// <summary>Whether one PolicyRule allows a request, with upstream's wildcards (rbac/v1 helpers: VerbMatches, ResourceMatches, …).</summary>
public static class RuleMatching
{
    public static bool Allows(V1PolicyRule rule, RequestAttributes a) =>
        a.IsResourceRequest
            ? Has(rule.Verbs, a.Verb) && Has(rule.ApiGroups, a.ApiGroup) && ResourceMatches(rule, a) && NameMatches(rule, a.Name)
            : Has(rule.Verbs, a.Verb) && NonResourceUrlMatches(rule, a.Path);

    private static bool Has(IList<string>? values, string wanted)
    {
        if (values is null) return false;
        foreach (var v in values)
            if (v == "*" || v == wanted) return true;
        return false;
    }

    private static bool ResourceMatches(V1PolicyRule rule, RequestAttributes a)
    {
        if (rule.Resources is null) return false;
        var combined = a.ResourceWithSubresource;
        foreach (var r in rule.Resources)
        {
            if (r == "*" || r == combined) return true;
            // "*/scale" covers the scale subresource of every resource.
            if (a.Subresource.Length > 0 && r.StartsWith("*/", StringComparison.Ordinal) && r.AsSpan(2).SequenceEqual(a.Subresource)) return true;
        }
        return false;
    }

    private static bool NameMatches(V1PolicyRule rule, string name) =>
        rule.ResourceNames is not { Count: > 0 } || (name.Length > 0 && rule.ResourceNames.Contains(name));

    private static bool NonResourceUrlMatches(V1PolicyRule rule, string path)
    {
        if (rule.NonResourceURLs is null) return false;
        foreach (var url in rule.NonResourceURLs)
        {
            if (url == "*" || url == path) return true;
            if (url.EndsWith('*') && path.StartsWith(url.AsSpan(0, url.Length - 1), StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
