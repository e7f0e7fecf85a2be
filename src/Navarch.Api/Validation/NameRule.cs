namespace Navarch.Api.Validation;

/// <summary>
/// Upstream's name validation functions (NameIsDNSSubdomain, ...): the problems with a name, or with a
/// generateName prefix when <c>prefix</c> is true (a trailing '-' is then allowed).
/// </summary>
public delegate IReadOnlyList<string> NameRule(string name, bool prefix);

/// <summary>The name rules the kinds use.</summary>
public static class NameRules
{
    public static NameRule DnsSubdomain { get; } = (name, prefix) => ValueFormats.IsDns1123Subdomain(Mask(name, prefix));

    public static NameRule DnsLabel { get; } = (name, prefix) => ValueFormats.IsDns1123Label(Mask(name, prefix));

    public static NameRule Dns1035Label { get; } = (name, prefix) => ValueFormats.IsDns1035Label(Mask(name, prefix));

    // A generateName may end in '-': check it as if the random suffix had been appended.
    private static string Mask(string name, bool prefix) =>
        prefix && name.Length > 1 && name[^1] == '-' ? name[..^1] + "a" : name;
}
