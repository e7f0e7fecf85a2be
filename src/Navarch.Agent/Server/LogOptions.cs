using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Navarch.Agent.Server;

/// <summary>The query of <c>GET /containerLogs/...</c>, as kubectl logs sends it through the API server.</summary>
public sealed record LogOptions
{
    /// <summary>Keep streaming new lines until the client goes or the container exits.</summary>
    public bool Follow { get; init; }

    /// <summary>The previous (terminated) instance of the container.</summary>
    public bool Previous { get; init; }

    /// <summary>Prefix each line with its RFC3339Nano timestamp.</summary>
    public bool Timestamps { get; init; }

    /// <summary>Only the last this many lines, if set.</summary>
    public long? TailLines { get; init; }

    /// <summary>Stop after this many bytes of output, if set.</summary>
    public long? LimitBytes { get; init; }

    /// <summary>Only lines logged at or after this time, if set (sinceSeconds or sinceTime).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Parses the query; returns null with <paramref name="error"/> set for a malformed or out-of-range value.</summary>
    public static LogOptions? Parse(IQueryCollection query, DateTimeOffset now, out string error)
    {
        error = "";
        var options = new LogOptions
        {
            Follow = Flag(query, "follow"),
            Previous = Flag(query, "previous"),
            Timestamps = Flag(query, "timestamps"),
        };
        var (hasTail, tail) = Number(query, "tailLines", 0, ref error);
        if (error.Length > 0) return null;
        var (hasLimit, limit) = Number(query, "limitBytes", 1, ref error);
        if (error.Length > 0) return null;
        var (hasSince, since) = Number(query, "sinceSeconds", 1, ref error);
        if (error.Length > 0) return null;
        DateTimeOffset? sinceTime = null;
        if (query.TryGetValue("sinceTime", out var text) && !string.IsNullOrEmpty(text))
        {
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            {
                error = $"invalid sinceTime \"{text}\": want RFC3339";
                return null;
            }
            sinceTime = t;
        }
        return options with
        {
            TailLines = hasTail ? tail : null,
            LimitBytes = hasLimit ? limit : null,
            Since = hasSince ? now - TimeSpan.FromSeconds(since) : sinceTime,
        };
    }

    private static bool Flag(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var v) && (v.ToString() is "true" or "1" or "True" || (v.ToString() == "" && query.ContainsKey(name)));

    private static (bool, long) Number(IQueryCollection query, string name, long min, ref string error)
    {
        if (!query.TryGetValue(name, out var v) || string.IsNullOrEmpty(v)) return (false, 0);
        if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min)
        {
            error = $"invalid {name} \"{v}\": must be an integer {(min == 0 ? "greater than or equal to 0" : "greater than 0")}";
            return (false, 0);
        }
        return (true, n);
    }
}
