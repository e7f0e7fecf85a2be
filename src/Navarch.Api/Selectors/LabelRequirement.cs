using System.Globalization;

namespace Navarch.Api.Selectors;

/// <summary>One term of a label selector: a key, an operator and its values (sorted, distinct).</summary>
public sealed class LabelRequirement
{
    internal LabelRequirement(string key, SelectorOperator op, IReadOnlyList<string> values)
    {
        Key = key;
        Operator = op;
        Values = values;
    }

    public string Key { get; }
    public SelectorOperator Operator { get; }
    public IReadOnlyList<string> Values { get; }

    /// <summary>Whether the labels satisfy this requirement (a missing key satisfies only !=, notin and !key).</summary>
    public bool Matches(IDictionary<string, string>? labels)
    {
        string? value = null;
        var exists = labels is not null && labels.TryGetValue(Key, out value);
        switch (Operator)
        {
            case SelectorOperator.Equals or SelectorOperator.DoubleEquals or SelectorOperator.In:
                return exists && Values.Contains(value!);
            case SelectorOperator.NotEquals or SelectorOperator.NotIn:
                return !exists || !Values.Contains(value!);
            case SelectorOperator.Exists:
                return exists;
            case SelectorOperator.DoesNotExist:
                return !exists;
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (!exists || Values.Count != 1
                    || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var actual)
                    || !long.TryParse(Values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var bound))
                {
                    return false;
                }
                return Operator == SelectorOperator.GreaterThan ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    /// <summary>Upstream's canonical text, e.g. <c>app in (a,b)</c>, <c>!key</c>, <c>tier=web</c>.</summary>
    public override string ToString()
    {
        var prefix = Operator == SelectorOperator.DoesNotExist ? "!" : "";
        var op = Operator switch
        {
            SelectorOperator.Equals => "=",
            SelectorOperator.DoubleEquals => "==",
            SelectorOperator.NotEquals => "!=",
            SelectorOperator.In => " in ",
            SelectorOperator.NotIn => " notin ",
            SelectorOperator.GreaterThan => ">",
            SelectorOperator.LessThan => "<",
            _ => null,
        };
        if (op is null)
        {
            return prefix + Key;
        }
        var values = string.Join(",", Values.Order(StringComparer.Ordinal));
        return Operator is SelectorOperator.In or SelectorOperator.NotIn
            ? $"{Key}{op}({values})"
            : $"{Key}{op}{values}";
    }
}
