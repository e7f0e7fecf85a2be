namespace Navarch.Api.Printing;

/// <summary>Upstream's duration.HumanDuration: 2–3 significant figures (<c>45s</c>, <c>3m4s</c>, <c>2d5h</c>, <c>3y12d</c>).</summary>
public static class HumanDuration
{
    /// <summary>
    /// Formats an age. Up to 1 s in the future counts as now ("0s", tolerating clock skew); further is "&lt;invalid&gt;".
    /// </summary>
    public static string Format(TimeSpan d)
    {
        // Go converts durations with truncation toward zero, as integer division of ticks does.
        var seconds = d.Ticks / TimeSpan.TicksPerSecond;
        if (seconds < -1)
        {
            return "<invalid>";
        }
        if (seconds < 0)
        {
            return "0s";
        }
        if (seconds < 60 * 2)
        {
            return $"{seconds}s";
        }
        var minutes = d.Ticks / TimeSpan.TicksPerMinute;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }
        if (minutes < 60 * 3)
        {
            return $"{minutes}m";
        }
        var hours = d.Ticks / TimeSpan.TicksPerHour;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }
        if (hours < 48)
        {
            return $"{hours}h";
        }
        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }
        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }
        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }
        return $"{hours / 24 / 365}y";
    }

    /// <summary>
    /// Upstream's translateTimestampSince: the age of a timestamp at <paramref name="now"/>, "&lt;unknown&gt;" when unset.
    /// Timestamps without a kind are taken as UTC.
    /// </summary>
    public static string Since(DateTime? timestamp, DateTimeOffset now)
    {
        if (timestamp is not { } t || t == default)
        {
            return "<unknown>";
        }
        var utc = t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime();
        return Format(now - new DateTimeOffset(utc, TimeSpan.Zero));
    }
}
