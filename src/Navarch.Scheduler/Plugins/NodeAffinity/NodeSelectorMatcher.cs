using System.Globalization;
using k8s.Models;

namespace Navarch.Scheduler.Plugins.NodeAffinity;

/// <summary>
/// Upstream's node selector semantics (component-helpers nodeaffinity): terms are ORed; within a term, every
/// matchExpression (on labels) and matchField (only metadata.name) must hold; a term with neither matches
/// nothing; an invalid requirement makes its term not match.
/// </summary>
public static class NodeSelectorMatcher
{
    public static bool Matches(V1NodeSelector selector, V1Node node)
    {
        foreach (var term in selector.NodeSelectorTerms ?? [])
            if (TermMatches(term, node)) return true;
        return false;
    }

    public static bool TermMatches(V1NodeSelectorTerm term, V1Node node)
    {
        var expressions = term.MatchExpressions ?? [];
        var fields = term.MatchFields ?? [];
        if (expressions.Count == 0 && fields.Count == 0) return false;
        var labels = node.Metadata.Labels;
        foreach (var e in expressions)
            if (!RequirementHolds(e, labels?.TryGetValue(e.Key, out var v) == true ? v : null)) return false;
        foreach (var f in fields)
        {
            // Only metadata.name is a valid field, and only with In/NotIn (upstream's validation).
            if (f.Key != "metadata.name" || f.OperatorProperty is not ("In" or "NotIn")) return false;
            if (!RequirementHolds(f, node.Metadata.Name)) return false;
        }
        return true;
    }

    /// <summary>One requirement against the value of its key (null = the key is absent).</summary>
    public static bool RequirementHolds(V1NodeSelectorRequirement requirement, string? value)
    {
        var values = requirement.Values ?? [];
        return requirement.OperatorProperty switch
        {
            "In" => value is not null && values.Contains(value),
            "NotIn" => value is null || !values.Contains(value),
            "Exists" => value is not null,
            "DoesNotExist" => value is null,
            "Gt" => Compare(value, values) is > 0,
            "Lt" => Compare(value, values) is < 0,
            _ => false,
        };
    }

    // Gt/Lt compare integers; a missing label, a non-integer or not exactly one value fails the requirement.
    private static int? Compare(string? value, IList<string> values)
    {
        if (value is null || values.Count != 1) return null;
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var have)) return null;
        if (!long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var limit)) return null;
        return have.CompareTo(limit);
    }
}
