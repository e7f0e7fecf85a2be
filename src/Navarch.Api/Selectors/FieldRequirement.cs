namespace Navarch.Api.Selectors;

/// <summary>One term of a field selector: <c>field=value</c> (<see cref="Equal"/>) or <c>field!=value</c>.</summary>
public sealed record FieldRequirement(string Field, bool Equal, string Value)
{
    /// <summary>Whether the field's value (null = absent, compared as "") satisfies the term.</summary>
    public bool Matches(string? actual) => string.Equals(actual ?? "", Value, StringComparison.Ordinal) == Equal;

    /// <summary>Upstream's text, with \, ',' and '=' in the value escaped.</summary>
    public override string ToString() => $"{Field}{(Equal ? "=" : "!=")}{FieldSelector.EscapeValue(Value)}";
}
