using System.Text;

namespace Navarch.Agent.Pods;

/// <summary>
/// Kubernetes' <c>$(VAR)</c> expansion of env values, commands and args: a defined variable is replaced,
/// <c>$$</c> is an escaped <c>$</c>, anything else (undefined variables, unclosed references) stays as written.
/// </summary>
public static class EnvExpansion
{
    /// <summary>Expands <paramref name="input"/> with <paramref name="lookup"/> (null for an undefined variable).</summary>
    public static string Expand(string input, Func<string, string?> lookup)
    {
        if (!input.Contains('$')) return input;
        var sb = new StringBuilder(input.Length);
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] != '$' || i + 1 >= input.Length) { sb.Append(input[i]); continue; }
            var next = input[i + 1];
            if (next == '$') { sb.Append('$'); i++; continue; }
            if (next == '(')
            {
                var close = input.IndexOf(')', i + 2);
                if (close > 0)
                {
                    var name = input[(i + 2)..close];
                    var value = lookup(name);
                    sb.Append(value ?? $"$({name})");
                    i = close;
                    continue;
                }
            }
            sb.Append('$');
        }
        return sb.ToString();
    }
}
