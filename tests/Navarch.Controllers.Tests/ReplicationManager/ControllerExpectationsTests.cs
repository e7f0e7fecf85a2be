using Microsoft.Extensions.Time.Testing;
using Navarch.Controllers.PodControl;

namespace Navarch.Controllers.Tests.ReplicationManager;

[Trait("Category", "Unit")]
public sealed class ControllerExpectationsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_controller_without_expectations_may_sync() =>
        Assert.True(new ControllerExpectations(_time).Satisfied("default/rc"));

    [Fact]
    public void Creations_hold_until_every_pod_is_observed()
    {
        var e = new ControllerExpectations(_time);
        e.ExpectCreations("default/rc", 2);
        Assert.False(e.Satisfied("default/rc"));
        e.CreationObserved("default/rc");
        Assert.False(e.Satisfied("default/rc"));
        e.CreationObserved("default/rc");
        Assert.True(e.Satisfied("default/rc"));
    }

    [Fact]
    public void A_deleted_pod_seen_twice_counts_once()
    {
        var e = new ControllerExpectations(_time);
        e.ExpectDeletions("default/rc", ["default/a", "default/b"]);
        e.DeletionObserved("default/rc", "default/a");
        e.DeletionObserved("default/rc", "default/a");
        Assert.Equal((0, 1), e.Pending("default/rc"));
        Assert.False(e.Satisfied("default/rc"));
        e.DeletionObserved("default/rc", "default/other");
        Assert.False(e.Satisfied("default/rc"));
        e.DeletionObserved("default/rc", "default/b");
        Assert.True(e.Satisfied("default/rc"));
    }

    [Fact]
    public void Expectations_expire_after_five_minutes()
    {
        var e = new ControllerExpectations(_time);
        e.ExpectCreations("default/rc", 3);
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.False(e.Satisfied("default/rc"));
        _time.Advance(TimeSpan.FromMinutes(1.1));
        Assert.True(e.Satisfied("default/rc"));
    }

    [Fact]
    public void Forgetting_a_controller_clears_its_expectations()
    {
        var e = new ControllerExpectations(_time);
        e.ExpectCreations("default/rc", 3);
        e.Forget("default/rc");
        Assert.True(e.Satisfied("default/rc"));
    }
}
