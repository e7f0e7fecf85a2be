using Microsoft.Extensions.Time.Testing;
using Navarch.Client.Events;

namespace Navarch.Client.Tests.Events;

public sealed class EventSpamFilterTests
{
    [Fact]
    public void An_object_gets_25_events_then_one_every_5_minutes_and_others_are_not_affected()
    {
        var time = new FakeTimeProvider();
        var filter = new EventSpamFilter(time);
        Assert.All(Enumerable.Range(0, EventSpamFilter.Burst), _ => Assert.True(filter.Allow("rs-controller|default/web")));
        Assert.False(filter.Allow("rs-controller|default/web"));
        Assert.True(filter.Allow("rs-controller|default/api"));

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(filter.Allow("rs-controller|default/web"));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(filter.Allow("rs-controller|default/web"));
        Assert.False(filter.Allow("rs-controller|default/web"));
    }
}
