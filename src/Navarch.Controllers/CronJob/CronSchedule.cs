using Cronos;
using k8s.Models;

namespace Navarch.Controllers.CronJob;

/// <summary>
/// A CronJob's schedule in its time zone (Cronos: standard five fields and the @hourly-style macros), and the
/// times upstream's cronjob controller derives from it.
/// </summary>
public sealed class CronSchedule
{
    /// <summary>Upstream stops counting missed start times past this many.</summary>
    public const int TooManyMissed = 100;

    private readonly CronExpression _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone) => (_expression, _zone) = (expression, zone);

    /// <exception cref="CronFormatException">The schedule does not parse.</exception>
    /// <exception cref="TimeZoneNotFoundException">The time zone is unknown.</exception>
    public static CronSchedule Parse(string schedule, string? timeZone) =>
        new(CronExpression.Parse(schedule.Trim(), CronFormat.Standard),
            string.IsNullOrEmpty(timeZone) ? TimeZoneInfo.Local : TimeZoneInfo.FindSystemTimeZoneById(timeZone));

    /// <summary>The first start time after <paramref name="after"/>.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after.UtcDateTime, _zone) is { } t ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>
    /// Upstream's mostRecentScheduleTime: the latest start time after the last one scheduled (or the CronJob's
    /// creation, or now - startingDeadlineSeconds if later) up to <paramref name="now"/>, and how many were
    /// missed in between (counting stops past <see cref="TooManyMissed"/>).
    /// </summary>
    public (DateTimeOffset? Latest, int Missed) MostRecent(V1CronJob cj, DateTimeOffset now)
    {
        var earliest = Utc(cj.Status?.LastScheduleTime ?? cj.Metadata.CreationTimestamp ?? now.UtcDateTime);
        if (cj.Spec?.StartingDeadlineSeconds is { } deadline && now.AddSeconds(-deadline) > earliest) earliest = now.AddSeconds(-deadline);
        DateTimeOffset? latest = null;
        var count = 0;
        for (var t = Next(earliest); t is { } at && at <= now; t = Next(at))
        {
            latest = at;
            if (++count > TooManyMissed) break;
        }
        return (latest, count);
    }

    /// <summary>Upstream's Job name for a start time: <c>&lt;cronjob&gt;-&lt;minutes since the epoch&gt;</c>.</summary>
    public static string JobName(string cronJob, DateTimeOffset scheduled) => $"{cronJob}-{scheduled.ToUnixTimeSeconds() / 60}";

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}
