using Microsoft.Extensions.Time.Testing;
using Navarch.Agent.Pods;

namespace Navarch.Agent.Tests.Pods;

[Trait("Category", "Unit")]
public sealed class ContainerBackOffTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private ContainerBackOff Create() => new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), _time);

    [Fact]
    public void FirstCrashRestartsAtOnceAndArmsTenSeconds()
    {
        var b = Create();
        Assert.Equal(TimeSpan.Zero, b.Remaining("k", _time.GetUtcNow()));
        Assert.Equal(TimeSpan.FromSeconds(10), b.Next("k"));
    }

    [Fact]
    public void DelaysDoubleUpToFiveMinutes()
    {
        var b = Create();
        var delays = Enumerable.Range(0, 8).Select(_ => { var d = b.Next("k"); _time.Advance(d); return d.TotalSeconds; }).ToList();
        Assert.Equal([10, 20, 40, 80, 160, 300, 300, 300], delays);
    }

    [Fact]
    public void RemainingCountsFromTheExit()
    {
        var b = Create();
        b.Next("k");
        b.Next("k"); // 20 s now
        var exited = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(15), b.Remaining("k", exited));
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(TimeSpan.Zero, b.Remaining("k", exited));
    }

    [Fact]
    public void TenMinutesWithoutACrashStartsOver()
    {
        var b = Create();
        b.Next("k");
        b.Next("k");
        _time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, b.Remaining("k", _time.GetUtcNow()));
        Assert.Equal(TimeSpan.FromSeconds(10), b.Next("k"));
    }

    [Fact]
    public void KeysAreIndependentAndResettable()
    {
        var b = Create();
        b.Next(ContainerBackOff.Key("p", "ns", "uid", "a"));
        b.Next(ContainerBackOff.Key("p", "ns", "uid", "a"));
        b.Next(ContainerBackOff.Key("p", "ns", "uid", "b"));
        Assert.Equal(TimeSpan.FromSeconds(20), b.Delay(ContainerBackOff.Key("p", "ns", "uid", "a")));
        b.ResetPrefix(ContainerBackOff.Key("p", "ns", "uid", ""));
        Assert.Equal(TimeSpan.Zero, b.Delay(ContainerBackOff.Key("p", "ns", "uid", "a")));
        Assert.Equal(TimeSpan.Zero, b.Delay(ContainerBackOff.Key("p", "ns", "uid", "b")));
    }
}
