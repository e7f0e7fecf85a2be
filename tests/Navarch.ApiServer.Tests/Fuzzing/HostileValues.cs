using System.Text;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Tests.Fuzzing;

/// <summary>Values that are wrong for a field in some way: other types, huge numbers, odd strings, deep nesting.</summary>
public static class HostileValues
{
    /// <summary>The depth the issue asks for; far past the server's limit, so the bound is what answers.</summary>
    public const int DeepLevels = 10_000;

    private static readonly string[] Numbers =
    [
        "1e400", "-1e400", "123456789012345678901234567890", "-9223372036854775809", "9223372036854775808",
        "18446744073709551616", "2147483648", "-2147483649", "1.7976931348623157e309", "4.9e-325", "-0", "0.5",
        "1E+2", "0e0", "1" + new string('0', 400), "0." + new string('0', 400) + "1",
    ];

    private static readonly string[] Strings =
    [
        "", " ", "\u0000", "\ud83d\ude00", "a/b", "../../etc", "%00", "${x}", "{{x}}", "-", "~", "\\", "\"",
        "2026-13-45T99:99:99Z", "not-a-time", "100Gi", "1e3m", "-1", "0x10", "NaN", "Infinity", "true", "null",
        new string('a', 64), new string('x', 300), new string('\u00e9', 1000), "a b\tc\nd", "\u202e\u0301",
    ];

    /// <summary>A value of a random wrong type (or a wrong value of the right type), as JSON text.</summary>
    public static string Any(Random r) => r.Next(10) switch
    {
        0 => Numbers[r.Next(Numbers.Length)],
        1 => JsonString(Strings[r.Next(Strings.Length)]),
        2 => r.Next(2) == 0 ? "true" : "false",
        3 => "null",
        4 => "[]",
        5 => "{}",
        6 => $"[{Numbers[r.Next(Numbers.Length)]},{JsonString(Strings[r.Next(Strings.Length)])},null,{{}}]",
        7 => $"{{{JsonString(Strings[r.Next(Strings.Length)])}:{Numbers[r.Next(Numbers.Length)]}}}",
        8 => Deep(r, r.Next(2) == 0 ? DeepLevels : r.Next(50, 200)),
        _ => r.Next(-5, 5).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary><paramref name="levels"/> nested arrays or objects, as JSON.</summary>
    public static string Deep(Random r, int levels)
    {
        var objects = r.Next(2) == 0;
        var sb = new StringBuilder(levels * 8);
        for (var i = 0; i < levels; i++) sb.Append(objects ? "{\"a\":" : "[");
        sb.Append('1');
        for (var i = 0; i < levels; i++) sb.Append(objects ? '}' : ']');
        return sb.ToString();
    }

    /// <summary>A label or field selector in the grammar's corners: deep parentheses, odd operators, huge sets.</summary>
    public static string Selector(Random r) => r.Next(12) switch
    {
        0 => new string('(', r.Next(1, 20_000)),
        1 => "a in (" + string.Join(",", Enumerable.Range(0, r.Next(1, 5000)).Select(i => "v" + i)) + ")",
        2 => string.Join(",", Enumerable.Range(0, r.Next(1, 3000)).Select(i => $"k{i}!=v")),
        3 => "!!!!a",
        4 => "a in (b,c",
        5 => "metadata.name=x,spec.nodeName!=,status.phase==Running,metadata.namespace=",
        6 => "a=" + new string('b', 100_000),
        7 => "=,==,!=,in,notin,()",
        8 => "x.y.z.w=1",
        9 => "\u0000=\uffff",
        10 => "app notin (" + new string(',', 1000) + ")",
        _ => Strings[r.Next(Strings.Length)],
    };

    public static string JsonString(string s) => JsonValue.Create(s)!.ToJsonString();
}
