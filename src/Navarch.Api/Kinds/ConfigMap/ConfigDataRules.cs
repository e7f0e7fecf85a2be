using System.Text.RegularExpressions;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.ConfigMap;

/// <summary>
/// What ConfigMaps and Secrets share upstream: IsConfigMapKey for every key, the 1 MiB limit on the data, and
/// "immutable" freezing the data once set.
/// </summary>
public static partial class ConfigDataRules
{
    /// <summary>Upstream's MaxSecretSize, also the ConfigMap limit.</summary>
    public const int MaxSize = 1024 * 1024;

    public const string ImmutableDetail = "field is immutable when `immutable` is set";

    /// <summary>Upstream's IsConfigMapKey: problems of one data key (empty when valid).</summary>
    public static IReadOnlyList<string> KeyProblems(string key)
    {
        var problems = new List<string>();
        if (key.Length > 253) problems.Add(ValueFormats.MaxLenError(253));
        if (!KeyPattern().IsMatch(key))
            problems.Add(ValueFormats.RegexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", "[-._a-zA-Z0-9]+", "key.name", "KEY_NAME", "key-name"));
        if (key == ".") problems.Add("must not be '.'");
        else if (key == "..") problems.Add("must not be '..'");
        else if (key.StartsWith("..", StringComparison.Ordinal)) problems.Add("must not start with '..'");
        return problems;
    }

    /// <summary>Each key's problems as Invalid errors at <c>{path}[key]</c>.</summary>
    public static void ValidateKeys(IEnumerable<string> keys, string path, List<FieldError> errors)
    {
        foreach (var key in keys.Order(StringComparer.Ordinal))
            foreach (var problem in KeyProblems(key))
                errors.Add(FieldError.Invalid($"{path}[{key}]", key, problem));
    }

    /// <summary>Once <c>immutable</c> is true it stays so, and each changed data field is refused.</summary>
    public static void ValidateImmutable(bool? immutable, bool? oldImmutable, List<FieldError> errors, params (string Field, object? Value, object? Old)[] data)
    {
        if (oldImmutable != true) return;
        if (immutable != true) errors.Add(FieldError.Forbidden("immutable", ImmutableDetail));
        foreach (var (field, value, old) in data)
            if (!JsonEquality.Same(value, old)) errors.Add(FieldError.Forbidden(field, ImmutableDetail));
    }

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex KeyPattern();
}
