using System.Text;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Navarch.Agent.Server;

namespace Navarch.Agent.Tests.Server;

[Trait("Category", "Unit")]
public sealed class LogFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("navarch-logs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("2026-11-26T07:34:01.123456789Z stdout F hello world", "stdout", false, "hello world")]
    [InlineData("2026-11-26T07:34:01Z stderr P part", "stderr", true, "part")]
    [InlineData("2026-11-26T07:34:01.5+01:00 stdout F ", "stdout", false, "")]
    [InlineData("2026-11-26T07:34:01.5Z stdout F", "stdout", false, "")]
    [InlineData("2026-11-26T07:34:01.5Z stdout F  two spaces kept", "stdout", false, " two spaces kept")]
    public void Parses_cri_records(string raw, string stream, bool partial, string message)
    {
        var line = CriLogLine.Parse(Encoding.UTF8.GetBytes(raw))!;
        Assert.Equal(stream, line.Stream);
        Assert.Equal(partial, line.Partial);
        Assert.Equal(message, Encoding.UTF8.GetString(line.Message.Span));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain text from somewhere")]
    [InlineData("2026-11-26T07:34:01Z stdin F x")]
    [InlineData("yesterday stdout F x")]
    [InlineData("2026-11-26T07:34:01Z stdout X x")]
    public void Rejects_what_is_not_a_cri_record(string raw) => Assert.Null(CriLogLine.Parse(Encoding.UTF8.GetBytes(raw)));

    [Fact]
    public void Keeps_sub_microsecond_timestamps_parseable()
    {
        Assert.True(CriLogLine.TryParseTime("2026-11-26T07:34:01.123456789Z", out var t));
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 7, 34, 1, TimeSpan.Zero).AddTicks(1234567), t);
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    private string WriteLog(params string[] records)
    {
        var path = Path.Combine(_dir, "0.log");
        File.WriteAllText(path, string.Concat(records.Select(r => r + "\n")));
        return path;
    }

    private static string At(int second, string stream, string tag, string message) =>
        $"{T0.AddSeconds(second):yyyy-MM-ddTHH:mm:ss.fffffffZ} {stream} {tag} {message}";

    private static async Task<string> CopyAsync(string path, LogOptions options)
    {
        using var output = new MemoryStream();
        await new ContainerLogStreamer(TimeProvider.System).CopyAsync(path, options, output, _ => Task.FromResult(false), CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    public static TheoryData<string, LogOptions, string> Cases => new()
    {
        { "everything, messages only", new LogOptions(), "one\ntwo\nthree-a three-b\nfour\n" },
        { "tail 2", new LogOptions { TailLines = 2 }, "three-b\nfour\n" },
        { "tail 0", new LogOptions { TailLines = 0 }, "" },
        { "tail beyond the file", new LogOptions { TailLines = 100 }, "one\ntwo\nthree-a three-b\nfour\n" },
        { "limit cuts mid-line", new LogOptions { LimitBytes = 6 }, "one\ntw" },
        { "since drops older lines", new LogOptions { Since = T0.AddSeconds(3) }, "three-b\nfour\n" },
        { "timestamps", new LogOptions { TailLines = 1, Timestamps = true }, $"{T0.AddSeconds(4):yyyy-MM-ddTHH:mm:ss.fffffffZ} four\n" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Copies_messages_with_the_options(string name, LogOptions options, string expected)
    {
        var path = WriteLog(At(0, "stdout", "F", "one"), At(1, "stderr", "F", "two"), At(2, "stdout", "P", "three-a "), At(3, "stdout", "F", "three-b"), At(4, "stdout", "F", "four"));
        Assert.True(expected == await CopyAsync(path, options), name);
    }

    [Fact]
    public async Task Follow_streams_new_records_until_the_container_stops()
    {
        var path = WriteLog(At(0, "stdout", "F", "first"));
        var time = new FakeTimeProvider(T0);
        var running = true;
        var streamer = new ContainerLogStreamer(time) { PollInterval = TimeSpan.FromMilliseconds(100), RunningCheckInterval = TimeSpan.FromSeconds(1) };
        using var output = new MemoryStream();
        var copy = streamer.CopyAsync(path, new LogOptions { Follow = true }, output, _ => Task.FromResult(running), CancellationToken.None);

        await Testing.Poll.UntilAsync("first record", () => Encoding.UTF8.GetString(output.ToArray()) == "first\n");
        File.AppendAllText(path, At(1, "stdout", "F", "second") + "\n");
        await Testing.Poll.UntilAsync("second record", () =>
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            return Encoding.UTF8.GetString(output.ToArray()) == "first\nsecond\n";
        });
        Assert.False(copy.IsCompleted);

        running = false;
        File.AppendAllText(path, At(2, "stdout", "F", "last words") + "\n");
        await Testing.Poll.UntilAsync("copy ends once the container stopped", () =>
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            return copy.IsCompleted;
        });
        await copy;
        Assert.Equal("first\nsecond\nlast words\n", Encoding.UTF8.GetString(output.ToArray()));
    }

    public static TheoryData<string, bool, string?, string> Instances => new()
    {
        { "running", false, "abc", "" },
        { "previous without one", true, null, "previous terminated container \"nginx\" in pod \"web\" not found" },
        { "previous", true, "old", "" },
    };

    [Theory]
    [MemberData(nameof(Instances))]
    public void Picks_the_instance_like_upstream(string name, bool previous, string? expectedId, string expectedError)
    {
        var status = new V1ContainerStatus
        {
            Name = "nginx",
            ContainerID = "containerd://abc",
            State = new V1ContainerState { Running = new V1ContainerStateRunning() },
            LastState = name == "previous" ? new V1ContainerState { Terminated = new V1ContainerStateTerminated { ContainerID = "containerd://old" } } : new V1ContainerState(),
        };
        Assert.Equal(expectedId, ContainerInstance.ForLogs(status, previous, "nginx", "web", out var error));
        Assert.Equal(expectedError, error);
    }

    [Theory]
    [InlineData("ContainerCreating", "container \"nginx\" in pod \"web\" is waiting to start: ContainerCreating")]
    [InlineData("ErrImagePull", "container \"nginx\" in pod \"web\" is waiting to start: image can't be pulled")]
    public void Waiting_container_without_history_has_no_logs(string reason, string message)
    {
        var status = new V1ContainerStatus { Name = "nginx", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason } } };
        Assert.Null(ContainerInstance.ForLogs(status, false, "nginx", "web", out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void Crash_looping_container_shows_its_last_run()
    {
        var status = new V1ContainerStatus
        {
            Name = "app",
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
            LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ContainerID = "containerd://dead1" } },
        };
        Assert.Equal("dead1", ContainerInstance.ForLogs(status, false, "app", "web", out _));
        Assert.Equal("dead1", ContainerInstance.ForLogs(status, true, "app", "web", out _));
    }

    [Theory]
    [InlineData("tailLines=-1", "invalid tailLines \"-1\": must be an integer greater than or equal to 0")]
    [InlineData("limitBytes=0", "invalid limitBytes \"0\": must be an integer greater than 0")]
    [InlineData("sinceSeconds=x", "invalid sinceSeconds \"x\": must be an integer greater than 0")]
    [InlineData("sinceTime=never", "invalid sinceTime \"never\": want RFC3339")]
    public void Rejects_bad_log_queries(string query, string error)
    {
        Assert.Null(LogOptions.Parse(Query(query), T0, out var message));
        Assert.Equal(error, message);
    }

    [Fact]
    public void Parses_log_queries()
    {
        var options = LogOptions.Parse(Query("follow=true&previous=true&timestamps=true&tailLines=5&limitBytes=100&sinceSeconds=60"), T0, out _)!;
        Assert.Equal(new LogOptions { Follow = true, Previous = true, Timestamps = true, TailLines = 5, LimitBytes = 100, Since = T0.AddMinutes(-1) }, options);
        Assert.Equal(new LogOptions(), LogOptions.Parse(Query(""), T0, out _));
    }

    private static QueryCollection Query(string query) =>
        new(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query).ToDictionary(p => p.Key, p => p.Value));
}
