using System.Text;

namespace Navarch.Api.Selectors;

/// <summary>A parsed field selector (upstream's fields.Selector): an AND of <c>=</c>/<c>==</c>/<c>!=</c> terms.</summary>
public sealed class FieldSelector
{
    private FieldSelector(IReadOnlyList<FieldRequirement> requirements) => Requirements = requirements;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The terms, in upstream's order (terms sorted as raw text before parsing).</summary>
    public IReadOnlyList<FieldRequirement> Requirements { get; }

    public bool IsEverything => Requirements.Count == 0;

    /// <summary>
    /// Parses <c>a=b,c!=d</c>. Values may be empty; <c>\\</c>, <c>\,</c> and <c>\=</c> escape those characters.
    /// Null or empty means everything.
    /// </summary>
    /// <exception cref="SelectorException">With upstream's message (<c>invalid selector: ...</c>, <c>invalid field selector: ...</c>).</exception>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Everything;
        }
        var parts = SplitTerms(text);
        parts.Sort(StringComparer.Ordinal);
        var requirements = new List<FieldRequirement>();
        foreach (var part in parts)
        {
            if (part.Length == 0)
            {
                continue;
            }
            if (!TrySplitTerm(part, out var lhs, out var op, out var rhs))
            {
                throw new SelectorException($"invalid selector: '{text}'; can't understand '{part}'");
            }
            requirements.Add(new FieldRequirement(lhs, op != "!=", UnescapeValue(rhs)));
        }
        return requirements.Count == 0 ? Everything : new FieldSelector(requirements);
    }

    /// <summary>Whether every term holds; <paramref name="fieldValue"/> returns a field's value (null = absent).</summary>
    public bool Matches(Func<string, string?> fieldValue) => Requirements.All(r => r.Matches(fieldValue(r.Field)));

    public override string ToString() => string.Join(",", Requirements.Select(r => r.ToString()));

    /// <summary>Escapes \, ',' and '=' for use in a selector value.</summary>
    public static string EscapeValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal).Replace("=", "\\=", StringComparison.Ordinal);

    // Splits on commas that are not escaped; the escapes stay in the terms.
    private static List<string> SplitTerms(string text)
    {
        var terms = new List<string>();
        var start = 0;
        var inSlash = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inSlash)
            {
                inSlash = false;
            }
            else if (c == '\\')
            {
                inSlash = true;
            }
            else if (c == ',')
            {
                terms.Add(text[start..i]);
                start = i + 1;
            }
        }
        terms.Add(text[start..]);
        return terms;
    }

    private static readonly string[] Operators = ["!=", "==", "="];

    // The left side has no escaping: the first operator found splits the term.
    private static bool TrySplitTerm(string term, out string lhs, out string op, out string rhs)
    {
        for (var i = 0; i < term.Length; i++)
        {
            foreach (var candidate in Operators)
            {
                if (string.CompareOrdinal(term, i, candidate, 0, candidate.Length) == 0)
                {
                    lhs = term[..i];
                    op = candidate;
                    rhs = term[(i + candidate.Length)..];
                    return true;
                }
            }
        }
        lhs = op = rhs = "";
        return false;
    }

    private static string UnescapeValue(string value)
    {
        if (value.IndexOfAny(['\\', ',', '=']) < 0)
        {
            return value;
        }
        var sb = new StringBuilder(value.Length);
        var inSlash = false;
        foreach (var rune in value.EnumerateRunes())
        {
            if (inSlash)
            {
                if (rune.Value is '\\' or ',' or '=')
                {
                    sb.Append(rune.ToString());
                    inSlash = false;
                    continue;
                }
                throw new SelectorException($"invalid field selector: invalid escape sequence: \\{rune}");
            }
            switch (rune.Value)
            {
                case '\\':
                    inSlash = true;
                    break;
                case ',' or '=':
                    // Go prints the rune with %v: its code point.
                    throw new SelectorException($"invalid field selector: unescaped character in value: {rune.Value}");
                default:
                    sb.Append(rune.ToString());
                    break;
            }
        }
        if (inSlash)
        {
            throw new SelectorException("invalid field selector: invalid escape sequence: \\");
        }
        return sb.ToString();
    }
}
