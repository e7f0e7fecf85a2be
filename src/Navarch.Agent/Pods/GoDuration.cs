using System.Globalization;

namespace Navarch.Agent.Pods;

/// <summary>
/// Formats durations as Go's <c>time.Duration.String()</c> does (<c>10s</c>, <c>1m20s</c>, <c>5m0s</c>, <c>200ms</c>), since
/// upstream's messages embed them, and parses them as upstream's duration flags take them.
/// </summary>
public static partial class GoDuration
{
    /// <summary>
    /// Parses a Go duration (<c>1m</c>, <c>1m30s</c>, <c>500ms</c>, <c>1.5h</c>; units ms, s, m, h); throws
    /// <see cref="FormatException"/> naming the text otherwise.
    /// </summary>
    public static TimeSpan Parse(string text)
    {
        var parts = Part().Matches(text);
        if (text.Length == 0 || parts.Sum(m => m.Length) != text.Length) throw new FormatException($"invalid duration \"{text}\"");
        var total = TimeSpan.Zero;
        foreach (System.Text.RegularExpressions.Match m in parts)
        {
            var amount = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                _ => TimeSpan.FromHours(amount),
            };
        }
        return total;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\G([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)")]
    private static partial System.Text.RegularExpressions.Regex Part();

    /// <summary>The Go rendering of <paramref name="d"/> (millisecond precision).</summary>
    public static string Format(TimeSpan d)
    {
        if (d == TimeSpan.Zero) return "0s";
        if (d < TimeSpan.FromSeconds(1)) return $"{(long)d.TotalMilliseconds}ms";
        var seconds = (d.Ticks % TimeSpan.TicksPerMinute) / (double)TimeSpan.TicksPerSecond;
        var s = Math.Round(seconds, 3).ToString("0.###", CultureInfo.InvariantCulture) + "s";
        if (d < TimeSpan.FromMinutes(1)) return s;
        var minutes = (long)d.TotalMinutes % 60;
        var hours = (long)d.TotalHours;
        return hours > 0 ? $"{hours}h{minutes}m{s}" : $"{minutes}m{s}";
    }
}
