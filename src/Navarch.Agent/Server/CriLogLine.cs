using System.Globalization;

namespace Navarch.Agent.Server;

/// <summary>
/// One line of a CRI container log file: <c>&lt;RFC3339Nano time&gt; stdout|stderr F|P &lt;message&gt;</c>, where
/// <c>P</c> marks a piece of a longer line that continues in the next record.
/// </summary>
/// <param name="Time">When the runtime logged it.</param>
/// <param name="TimeText">The timestamp as written (RFC3339Nano), for <c>timestamps=true</c>.</param>
/// <param name="Stream">stdout or stderr.</param>
/// <param name="Partial">Whether the message continues in the next record (no newline at its end).</param>
/// <param name="Message">The message bytes without the line's newline.</param>
public sealed record CriLogLine(DateTimeOffset Time, string TimeText, string Stream, bool Partial, ReadOnlyMemory<byte> Message)
{
    /// <summary>Parses one record (without its trailing newline); null if it is not in CRI log format.</summary>
    public static CriLogLine? Parse(ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        var first = span.IndexOf((byte)' ');
        if (first <= 0) return null;
        var rest = span[(first + 1)..];
        var second = rest.IndexOf((byte)' ');
        if (second <= 0) return null;
        var stream = System.Text.Encoding.ASCII.GetString(rest[..second]);
        if (stream is not ("stdout" or "stderr")) return null;
        var afterStream = rest[(second + 1)..];
        var third = afterStream.IndexOf((byte)' ');
        // The last record of a file may be "TIME stream F" with an empty message and no separator.
        var tag = third < 0 ? afterStream : afterStream[..third];
        if (tag.Length == 0) return null;
        var partial = tag[0] == (byte)'P';
        if (!partial && tag[0] != (byte)'F') return null;
        var timeText = System.Text.Encoding.ASCII.GetString(span[..first]);
        if (!TryParseTime(timeText, out var time)) return null;
        var messageStart = first + 1 + second + 1 + (third < 0 ? afterStream.Length : third + 1);
        return new CriLogLine(time, timeText, stream, partial, line[Math.Min(messageStart, line.Length)..]);
    }

    /// <summary>Parses RFC3339 with up to nine fractional digits (.NET keeps seven: the rest is dropped).</summary>
    public static bool TryParseTime(string text, out DateTimeOffset time)
    {
        var dot = text.IndexOf('.');
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) text = text[..(dot + 8)] + text[end..];
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }
}
