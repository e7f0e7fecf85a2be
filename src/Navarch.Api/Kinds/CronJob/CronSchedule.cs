using System.Globalization;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.CronJob;

/// <summary>
/// Upstream's schedule checks (robfig/cron's ParseStandard and the timeZone rules): five fields or an
/// <c>@hourly</c>-style descriptor, values within each field's range, and a time zone the system knows.
/// </summary>
public static class CronSchedule
{
    private static readonly string[] Descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private sealed record Field(int Min, int Max, string[]? Names, int NameBase);

    private static readonly Field[] Fields =
    [
        new(0, 59, null, 0), new(0, 23, null, 0), new(1, 31, null, 0), new(1, 12, Months, 1), new(0, 6, Days, 0),
    ];

    public static void Validate(string? schedule, string? timeZone, List<FieldError> errors)
    {
        if (string.IsNullOrEmpty(schedule))
        {
            errors.Add(FieldError.Required("spec.schedule"));
        }
        else if (schedule.Contains("TZ", StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
        }
        else if (Problem(schedule) is { } problem)
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, problem));
        }
        if (timeZone is not null)
        {
            if (timeZone.Length == 0)
                errors.Add(FieldError.Invalid("spec.timeZone", timeZone, "timeZone must be nil or non-empty string"));
            else if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _) || timeZone.Equals("local", StringComparison.OrdinalIgnoreCase))
                errors.Add(FieldError.Invalid("spec.timeZone", timeZone, $"unknown time zone {timeZone}"));
        }
    }

    /// <summary>Why the schedule does not parse, in robfig/cron's words; null when it does.</summary>
    public static string? Problem(string schedule)
    {
        if (schedule.StartsWith('@'))
            return Descriptors.Contains(schedule) || schedule.StartsWith("@every ", StringComparison.Ordinal) ? null : $"unrecognized descriptor: {schedule}";
        var parts = schedule.Split(' ', '\t').Where(p => p.Length > 0).ToArray();
        if (parts.Length != 5)
            return $"expected exactly 5 fields, found {parts.Length}: [{string.Join(" ", parts)}]";
        for (var i = 0; i < 5; i++)
            foreach (var item in parts[i].Split(','))
                if (ItemProblem(item, Fields[i], allowQuestion: i is 2 or 4) is { } problem) return problem;
        return null;
    }

    private static string? ItemProblem(string item, Field field, bool allowQuestion)
    {
        var slash = item.Split('/');
        if (slash.Length > 2) return $"too many slashes: {item}";
        var range = slash[0];
        int low, high;
        if (range == "*" || (allowQuestion && range == "?"))
        {
            (low, high) = (field.Min, field.Max);
        }
        else
        {
            var ends = range.Split('-');
            if (ends.Length > 2) return $"too many hyphens: {item}";
            if (Value(ends[0], field) is not { } a) return ParseError(ends[0]);
            low = high = a;
            if (ends.Length == 2)
            {
                if (Value(ends[1], field) is not { } b) return ParseError(ends[1]);
                high = b;
            }
        }
        if (slash.Length == 2 && (!int.TryParse(slash[1], NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step <= 0))
            return int.TryParse(slash[1], NumberStyles.None, CultureInfo.InvariantCulture, out _) ? $"step of range should be a positive number: {item}" : ParseError(slash[1]);
        if (low < field.Min) return $"beginning of range ({low}) below minimum ({field.Min}): {item}";
        if (high > field.Max) return $"end of range ({high}) above maximum ({field.Max}): {item}";
        if (low > high) return $"beginning of range ({low}) beyond end of range ({high}): {item}";
        return null;
    }

    private static int? Value(string text, Field field)
    {
        if (field.Names is not null && Array.FindIndex(field.Names, n => n.Equals(text, StringComparison.OrdinalIgnoreCase)) is var i and >= 0)
            return i + field.NameBase;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static string ParseError(string text) => $"failed to parse int from {text}: strconv.Atoi: parsing {GoText.Quote(text)}: invalid syntax";
}
