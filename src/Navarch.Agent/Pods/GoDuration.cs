using System.Globalization;

namespace Navarch.Agent.Pods;

/// <summary>Formats durations as Go's <c>time.Duration.String()</c> does (<c>10s</c>, <c>1m20s</c>, <c>5m0s</c>, <c>200ms</c>), since upstream's messages embed them.</summary>
public static class GoDuration
{
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
