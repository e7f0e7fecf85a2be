using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Navarch.Dns.Tests;

/// <summary>One answer as Debian's <c>dig</c> printed it.</summary>
public sealed record DigResult(string Status, IReadOnlyList<string> Flags, IReadOnlyList<string> Answer, IReadOnlyList<string> Authority,
    IReadOnlyList<string> Additional, string Output)
{
    /// <summary>The data (last field) of every answer record of <paramref name="type"/>.</summary>
    public IReadOnlyList<string> Data(string type) =>
        Answer.Select(l => l.Split(' '))
            .Where(f => f.Length >= 5 && f[3] == type)
            .Select(f => string.Join(' ', f.Skip(4)))
            .ToList();

    public override string ToString() => Output;
}

/// <summary>Runs <c>dig</c> (Debian's dnsutils) against a server on loopback and parses what it prints.</summary>
public static partial class Dig
{
    public static async Task<DigResult> QueryAsync(int port, string name, string type = "A", params string[] extra)
    {
        var psi = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "@127.0.0.1", "-p", port.ToString(), "+tries=1", "+time=3", "+nocookie", name, type }.Concat(extra))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dig (apt-get install dnsutils)");
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        var status = StatusLine().Match(output) is { Success: true } m ? m.Groups[1].Value : "NO ANSWER";
        var flags = FlagsLine().Match(output) is { Success: true } f ? f.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
        return new DigResult(status, flags, Section(output, "ANSWER"), Section(output, "AUTHORITY"), Section(output, "ADDITIONAL"), output);
    }

    private static List<string> Section(string output, string name)
    {
        var lines = new List<string>();
        var inside = false;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith(";; ", StringComparison.Ordinal)) inside = line.StartsWith($";; {name} SECTION:", StringComparison.Ordinal);
            else if (inside && line.Trim().Length > 0 && !line.StartsWith(';'))
                lines.Add(string.Join(' ', line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)));
            else if (inside && line.Trim().Length == 0) inside = false;
        }
        return lines;
    }

    [GeneratedRegex(@"status: (\w+)")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@";; flags: ([a-z ]+);")]
    private static partial Regex FlagsLine();
}
