using k8s.Models;

namespace Navarch.Api.Selectors;

/// <summary>
/// A parsed label selector (upstream's labels.Selector): an AND of requirements, sorted by key.
/// "Everything" has no requirements and matches all; "Nothing" (from a null metav1 selector) matches none.
/// </summary>
public sealed class LabelSelector
{
    private LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool matchesNothing)
    {
        Requirements = requirements;
        IsNothing = matchesNothing;
    }

    /// <summary>The selector that matches every object.</summary>
    public static LabelSelector Everything { get; } = new([], false);

    /// <summary>The selector that matches no object (what a null <see cref="V1LabelSelector"/> means).</summary>
    public static LabelSelector Nothing { get; } = new([], true);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    /// <summary>True when the selector does not restrict anything.</summary>
    public bool IsEverything => !IsNothing && Requirements.Count == 0;

    /// <summary>True for <see cref="Nothing"/>.</summary>
    public bool IsNothing { get; }

    /// <summary>
    /// Parses upstream's syntax (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>, <c>a notin (x)</c>,
    /// <c>a</c>, <c>!a</c>, <c>a&gt;1</c>, <c>a&lt;1</c>, comma = AND). Null or blank means everything.
    /// </summary>
    /// <exception cref="SelectorException">With upstream's message, e.g. <c>unable to parse requirement: ...</c>.</exception>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }
        var requirements = LabelSelectorParser.Parse(text);
        return requirements.Count == 0 ? Everything : new LabelSelector(SortByKey(requirements), false);
    }

    /// <summary>A selector requiring each label of the set exactly (no validation, as upstream's SelectorFromSet).</summary>
    public static LabelSelector FromSet(IDictionary<string, string>? set)
    {
        if (set is null || set.Count == 0)
        {
            return Everything;
        }
        var requirements = set.Select(p => new LabelRequirement(p.Key, SelectorOperator.Equals, [p.Value])).ToList();
        return new LabelSelector(SortByKey(requirements), false);
    }

    /// <summary>
    /// Converts a metav1 selector (matchLabels and matchExpressions): null matches nothing, empty matches everything.
    /// </summary>
    /// <exception cref="SelectorException">An unknown operator or an invalid key or value.</exception>
    public static LabelSelector FromLabelSelector(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }
        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            requirements.Add(RequirementRules.Create(key, SelectorOperator.Equals, [value], ""));
        }
        foreach (var expression in selector.MatchExpressions ?? [])
        {
            var op = expression.OperatorProperty switch
            {
                "In" => SelectorOperator.In,
                "NotIn" => SelectorOperator.NotIn,
                "Exists" => SelectorOperator.Exists,
                "DoesNotExist" => SelectorOperator.DoesNotExist,
                var other => throw new SelectorException($"{Validation.GoText.Quote(other ?? "")} is not a valid label selector operator"),
            };
            requirements.Add(RequirementRules.Create(expression.Key ?? "", op, expression.Values?.ToList() ?? [], ""));
        }
        return requirements.Count == 0 ? Everything : new LabelSelector(SortByKey(requirements), false);
    }

    /// <summary>Whether all requirements hold for the labels (null labels = no labels).</summary>
    public bool Matches(IDictionary<string, string>? labels) => !IsNothing && Requirements.All(r => r.Matches(labels));

    /// <summary>The canonical text, as upstream prints selectors: requirements by key, comma separated.</summary>
    public override string ToString() => string.Join(",", Requirements.Select(r => r.ToString()));

    private static List<LabelRequirement> SortByKey(IEnumerable<LabelRequirement> requirements) =>
        requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
}
