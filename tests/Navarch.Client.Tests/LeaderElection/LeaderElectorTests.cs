using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Navarch.Client.LeaderElection;

namespace Navarch.Client.Tests.LeaderElection;

[Trait("Category", "Unit")]
public sealed class LeaderElectorTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLeaseLock _lease = new();

    private LeaderElector Candidate(string identity, ILeaseLock? lease = null) =>
        new(lease ?? _lease, LeaderElectionConfig.Default(identity), _time, NullLogger.Instance);

    [Fact]
    public async Task A_standby_takes_an_unrenewed_lease_only_after_the_lease_duration_since_it_last_saw_it_change()
    {
        var a = Candidate("a");
        var b = Candidate("b");

        Assert.True(await a.TryAcquireOrRenewAsync(default));
        Assert.False(await b.TryAcquireOrRenewAsync(default)); // b sees a's record now
        _time.Advance(LeaderElectionConfig.DefaultLeaseDuration - TimeSpan.FromSeconds(1));
        Assert.False(await b.TryAcquireOrRenewAsync(default));
        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.True(await b.TryAcquireOrRenewAsync(default));

        Assert.Equal(("b", 1, (int)LeaderElectionConfig.DefaultLeaseDuration.TotalSeconds), (_lease.Current!.HolderIdentity, _lease.Current.LeaseTransitions, _lease.Current.LeaseDurationSeconds));
        Assert.False(await a.TryAcquireOrRenewAsync(default)); // a's renew now fails: b holds it
    }

    [Fact]
    public async Task A_leader_that_renews_keeps_the_lease()
    {
        var a = Candidate("a");
        var b = Candidate("b");
        Assert.True(await a.TryAcquireOrRenewAsync(default));

        for (var i = 0; i < 10; i++)
        {
            _time.Advance(LeaderElectionConfig.DefaultRenewDeadline);
            Assert.True(await a.TryAcquireOrRenewAsync(default));
            Assert.False(await b.TryAcquireOrRenewAsync(default));
        }
        Assert.Equal(("a", 0), (_lease.Current!.HolderIdentity, _lease.Current.LeaseTransitions));
    }

    [Fact]
    public async Task A_leader_cut_off_stops_acting_within_the_renew_deadline_and_before_the_standby_starts()
    {
        var log = new List<string>();
        var acting = 0;
        var maxActing = 0;
        Func<CancellationToken, Task> Work(string name) => async ct =>
        {
            lock (log)
            {
                maxActing = Math.Max(maxActing, ++acting);
                log.Add($"{name} starts at {_time.GetUtcNow():mm:ss}");
            }
            try { await Task.Delay(Timeout.InfiniteTimeSpan, _time, ct); }
            finally { lock (log) { acting--; log.Add($"{name} stops at {_time.GetUtcNow():mm:ss}"); } }
        };
        var aView = _lease.ViewFor();
        using var stop = new CancellationTokenSource();
        var a = Candidate("a", aView);
        var runA = a.RunAsync(Work("a"), stop.Token);
        await StepUntilAsync(() => a.IsLeader, "a leads");
        var b = Candidate("b");
        var runB = b.RunAsync(Work("b"), stop.Token);
        await StepsAsync(TimeSpan.FromSeconds(20)); // b stands by while a renews
        Assert.False(b.IsLeader);

        aView.Unreachable = true;
        var cut = _time.GetUtcNow();
        await StepUntilAsync(() => !a.IsLeader, "a stops acting");
        var stoppedAfter = _time.GetUtcNow() - cut;
        await StepUntilAsync(() => b.IsLeader, "b takes over");
        var tookOverAfter = _time.GetUtcNow() - cut;

        var config = LeaderElectionConfig.Default("any");
        Assert.True(stoppedAfter <= config.RenewDeadline, $"a acted {stoppedAfter.TotalSeconds}s after it was cut off");
        Assert.True(tookOverAfter <= config.WorstTakeover + Step, $"b took over after {tookOverAfter.TotalSeconds}s");
        Assert.True(maxActing == 1, "two acted at once:\n" + string.Join("\n", log));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(runA, runB));
    }

    [Fact]
    public void The_defaults_let_a_standby_act_within_15_s_of_the_leaders_death_and_the_leader_stop_first()
    {
        var config = LeaderElectionConfig.Default("any");
        config.Validate();
        Assert.True(config.WorstTakeover <= TimeSpan.FromSeconds(15), $"worst case {config.WorstTakeover.TotalSeconds} s");
        Assert.True(config.LeaseDuration - config.RenewDeadline >= TimeSpan.FromSeconds(2), "the leader stops acting at least 2 s before a standby may start");
    }

    [Theory]
    [InlineData(0, 7, 1.5, "leaseDuration must be greater than zero")]
    [InlineData(10, 0, 1.5, "renewDeadline must be greater than zero")]
    [InlineData(10, 7, 0, "retryPeriod must be greater than zero")]
    [InlineData(7, 7, 1.5, "leaseDuration must be greater than renewDeadline")]
    [InlineData(10, 2.4, 2, "renewDeadline must be greater than retryPeriod*JitterFactor")]
    public void Invalid_timings_are_refused_with_upstreams_words(double lease, double renew, double retry, string message)
    {
        var config = new LeaderElectionConfig("any", TimeSpan.FromSeconds(lease), TimeSpan.FromSeconds(renew), TimeSpan.FromSeconds(retry));
        Assert.Equal(message, Assert.Throws<ArgumentException>(config.Validate).Message);
    }

    /// <summary>Moves the fake clock in small steps, letting the candidates' continuations run after each.</summary>
    private async Task StepsAsync(TimeSpan total)
    {
        for (var t = TimeSpan.Zero; t < total; t += Step)
        {
            _time.Advance(Step);
            await Settle();
        }
    }

    private async Task StepUntilAsync(Func<bool> condition, string phase)
    {
        for (var t = TimeSpan.Zero; t < TimeSpan.FromMinutes(1); t += Step)
        {
            await Settle();
            if (condition()) return;
            _time.Advance(Step);
        }
        throw new TimeoutException($"one fake minute passed without: {phase}");
    }

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    // Timers of the fake clock fire on the thread that advances it; their continuations run on the pool.
    private static Task Settle() => Task.Delay(2);
}
