using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Navarch.Api.Validation;

/// <summary>
/// Upstream's format checks (k8s.io/apimachinery/pkg/util/validation): each returns the list of
/// problems with the value, worded as upstream, and an empty list when the value is fine.
/// </summary>
public static partial class ValueFormats
{
    public const int Dns1123LabelMaxLength = 63;
    public const int Dns1123SubdomainMaxLength = 253;
    public const int Dns1035LabelMaxLength = 63;
    public const int LabelValueMaxLength = 63;
    private const int LabelKeyNameMaxLength = 63;

    private const string Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123SubdomainFmt = Dns1123LabelFmt + "(\\." + Dns1123LabelFmt + ")*";
    private const string Dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string LabelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelValueFmt = "(" + LabelKeyFmt + ")?";

    private const string Dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private const string Dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string Dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    private const string LabelKeyErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string LabelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    // Go's regexp "$" is end-of-text; .NET's also matches before a final "\n", hence \z.
    [GeneratedRegex("^(?:" + Dns1123LabelFmt + ")\\z")]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex("^(?:" + Dns1123SubdomainFmt + ")\\z")]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex("^(?:" + Dns1035LabelFmt + ")\\z")]
    private static partial Regex Dns1035LabelRegex();

    [GeneratedRegex("^(?:" + LabelKeyFmt + ")\\z")]
    private static partial Regex LabelKeyRegex();

    [GeneratedRegex("^(?:" + LabelValueFmt + ")\\z")]
    private static partial Regex LabelValueRegex();

    [GeneratedRegex("^[-a-z0-9]+\\z")]
    private static partial Regex PortNameCharsetRegex();

    /// <summary>"must be no more than N characters".</summary>
    public static string MaxLenError(int length) => $"must be no more than {length} characters";

    /// <summary>Upstream's RegexError: the message, examples and the regex used.</summary>
    public static string RegexError(string msg, string fmt, params string[] examples)
    {
        if (examples.Length == 0)
        {
            return msg + " (regex used for validation is '" + fmt + "')";
        }
        var sb = new StringBuilder(msg).Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" or ");
            }
            sb.Append('\'').Append(examples[i]).Append("', ");
        }
        return sb.Append("regex used for validation is '").Append(fmt).Append("')").ToString();
    }

    public static string InclusiveRangeError(long lo, long hi) => $"must be between {lo} and {hi}, inclusive";

    public static IReadOnlyList<string> IsDns1123Label(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1123LabelMaxLength)
        {
            errs.Add(MaxLenError(Dns1123LabelMaxLength));
        }
        if (!Dns1123LabelRegex().IsMatch(value))
        {
            errs.Add(Dns1123SubdomainRegex().IsMatch(value)
                ? "must not contain dots"
                : RegexError(Dns1123LabelErrMsg, Dns1123LabelFmt, "my-name", "123-abc"));
        }
        return errs;
    }

    public static IReadOnlyList<string> IsDns1123Subdomain(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1123SubdomainMaxLength)
        {
            errs.Add(MaxLenError(Dns1123SubdomainMaxLength));
        }
        if (!Dns1123SubdomainRegex().IsMatch(value))
        {
            errs.Add(RegexError(Dns1123SubdomainErrMsg, Dns1123SubdomainFmt, "example.com"));
        }
        return errs;
    }

    public static IReadOnlyList<string> IsDns1035Label(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1035LabelMaxLength)
        {
            errs.Add(MaxLenError(Dns1035LabelMaxLength));
        }
        if (!Dns1035LabelRegex().IsMatch(value))
        {
            errs.Add(RegexError(Dns1035LabelErrMsg, Dns1035LabelFmt, "my-name", "abc-123"));
        }
        return errs;
    }

    /// <summary>A label key, a.k.a. qualified name: optional DNS-subdomain prefix and '/', then a name of at most 63.</summary>
    public static IReadOnlyList<string> IsQualifiedName(string value)
    {
        var errs = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errs.Add("prefix part must be non-empty");
                }
                else
                {
                    errs.AddRange(IsDns1123Subdomain(prefix).Select(m => "prefix part " + m));
                }
                break;
            default:
                errs.Add("a valid label key " + RegexError(LabelKeyErrMsg, LabelKeyFmt, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errs;
        }
        if (name.Length == 0)
        {
            errs.Add("name part must be non-empty");
        }
        else if (ByteLength(name) > LabelKeyNameMaxLength)
        {
            errs.Add("name part " + MaxLenError(LabelKeyNameMaxLength));
        }
        if (!LabelKeyRegex().IsMatch(name))
        {
            errs.Add("name part " + RegexError(LabelKeyErrMsg, LabelKeyFmt, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    public static IReadOnlyList<string> IsLabelValue(string? value)
    {
        value ??= ""; // a JSON null, which upstream decodes as ""
        var errs = new List<string>();
        if (ByteLength(value) > LabelValueMaxLength)
        {
            errs.Add(MaxLenError(LabelValueMaxLength));
        }
        if (!LabelValueRegex().IsMatch(value))
        {
            errs.Add(RegexError(LabelValueErrMsg, LabelValueFmt, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    /// <summary>An IANA_SVC_NAME: at most 15 of [-a-z0-9], at least one letter, no "--", no hyphen at either end.</summary>
    public static IReadOnlyList<string> IsValidPortName(string port)
    {
        var errs = new List<string>();
        if (ByteLength(port) > 15)
        {
            errs.Add(MaxLenError(15));
        }
        if (!PortNameCharsetRegex().IsMatch(port))
        {
            errs.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (!port.Any(c => c is >= 'a' and <= 'z'))
        {
            errs.Add("must contain at least one letter (a-z)");
        }
        if (port.Contains("--", StringComparison.Ordinal))
        {
            errs.Add("must not contain consecutive hyphens");
        }
        if (port.Length > 0 && (port[0] == '-' || port[^1] == '-'))
        {
            errs.Add("must not begin or end with a hyphen");
        }
        return errs;
    }

    public static IReadOnlyList<string> IsValidPortNum(long port) =>
        port is >= 1 and <= 65535 ? [] : [InclusiveRangeError(1, 65535)];

    /// <summary>Environment variable names as v1.32 accepts them (RelaxedEnvironmentVariableValidation, on by default).</summary>
    public static IReadOnlyList<string> IsRelaxedEnvVarName(string value)
    {
        var errs = new List<string>();
        if (value.Length == 0)
        {
            errs.Add("environment variable name must be non-empty");
        }
        if (value.Any(c => c > 0x7e || c < 0x20 || c == '='))
        {
            errs.Add("a valid environment variable name must consist only of printable ASCII characters other than '='");
        }
        return errs;
    }

    /// <summary>An IPv4 or IPv6 address in canonical-enough form (no zone, no leading zeros in IPv4).</summary>
    public static IReadOnlyList<string> IsValidIp(string value) =>
        ParseIp(value) is null ? ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"] : [];

    public static IReadOnlyList<string> IsValidIpv4(string value) =>
        ParseIp(value) is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetwork } ? [] : ["must be a valid IPv4 address"];

    public static IReadOnlyList<string> IsValidIpv6(string value) =>
        ParseIp(value) is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ? [] : ["must be a valid IPv6 address"];

    public static IReadOnlyList<string> IsValidCidr(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && ParseIp(value[..slash]) is { } ip && int.TryParse(value[(slash + 1)..], out var bits)
            && bits >= 0 && bits <= (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
        {
            return [];
        }
        return ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"];
    }

    /// <summary>Parses an IP as Go's net.ParseIP does: dotted quads of plain decimals without leading zeros, or IPv6 without a zone.</summary>
    public static IPAddress? ParseIp(string value)
    {
        if (value.Length == 0 || value.Contains('%') || !IPAddress.TryParse(value, out var ip))
        {
            return null;
        }
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            var parts = value.Split('.');
            if (parts.Length != 4 || parts.Any(p => p.Length == 0 || p.Length > 3 || (p.Length > 1 && p[0] == '0') || !p.All(char.IsAsciiDigit)))
            {
                return null;
            }
        }
        return ip;
    }

    // A map value sent as JSON null reaches the validators as null; upstream's decoder makes it "".
    internal static int ByteLength(string? value) => Encoding.UTF8.GetByteCount(value ?? "");
}
