using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Agent.Probes;

namespace Navarch.Agent.Tests.Probes;

[Trait("Category", "Unit")]
public sealed class ProbeManagerTests : IDisposable
{
    private const string Uid = "uid-1";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly ScriptedProber _prober = new();
    private readonly ProbeManager _manager;
    private readonly List<string> _changed = [];
    private readonly List<string> _failed = [];
    private readonly List<string> _events = [];

    public ProbeManagerTests()
    {
        _manager = new ProbeManager(_prober, _time, (pod, container, message) => { lock (_events) _events.Add($"{pod.Metadata.Name}/{container}: {message}"); });
        _manager.Changed += uid => { lock (_changed) _changed.Add(uid); };
        _manager.Failed += (uid, container, message) => { lock (_failed) _failed.Add($"{uid}/{container}: {message}"); };
    }

    public void Dispose() => _manager.Dispose();

    private static V1Probe Http(string path, int? period = null, int? initialDelay = null, int? failure = null, int? success = null) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = 80 },
        PeriodSeconds = period,
        InitialDelaySeconds = initialDelay,
        FailureThreshold = failure,
        SuccessThreshold = success,
    };

    private static V1Pod Pod(V1Probe? readiness = null, V1Probe? liveness = null, V1Probe? startup = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = Uid },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "nginx", Image = "nginx", ReadinessProbe = readiness, LivenessProbe = liveness, StartupProbe = startup }],
        },
    };

    private void Run(V1Pod pod, string containerId = "c1", DateTimeOffset? startedAt = null) =>
        _manager.Update(pod, "10.244.0.5", new Dictionary<string, RunningContainer> { ["nginx"] = new(containerId, startedAt ?? _time.GetUtcNow()) });

    private void Seconds(double s) => _time.Advance(TimeSpan.FromSeconds(s));

    [Fact]
    public void Container_without_probes_is_ready_and_started_while_it_runs()
    {
        Run(Pod());
        Assert.True(_manager.IsReady(Uid, "nginx"));
        Assert.True(_manager.IsStarted(Uid, "nginx"));
        _manager.Update(Pod(), "10.244.0.5", new Dictionary<string, RunningContainer>());
        Assert.False(_manager.IsReady(Uid, "nginx"));
        Assert.False(_manager.IsStarted(Uid, "nginx"));
        Assert.False(_manager.IsReady("other", "nginx"));
    }

    [Fact]
    public void Readiness_starts_false_and_turns_true_on_the_first_success()
    {
        Run(Pod(readiness: Http("/ready", initialDelay: 1)));
        Assert.False(_manager.IsReady(Uid, "nginx"));
        Seconds(1);
        Assert.Equal(1, _prober.CountOf("/ready"));
        Assert.True(_manager.IsReady(Uid, "nginx"));
        Assert.Equal([Uid], _changed);
    }

    [Fact]
    public void Readiness_fails_after_failure_threshold_consecutive_failures_with_an_event_each()
    {
        Run(Pod(readiness: Http("/ready", period: 5)));
        Seconds(0);
        Assert.True(_manager.IsReady(Uid, "nginx"));

        _prober.Answer("/ready", ProbeOutcome.Failure("HTTP probe failed with statuscode: 500"));
        Seconds(5);
        Seconds(5);
        Assert.True(_manager.IsReady(Uid, "nginx"));
        Seconds(5);
        Assert.False(_manager.IsReady(Uid, "nginx"));
        Assert.Equal(2, _changed.Count);
        Assert.Equal(3, _events.Count);
        Assert.All(_events, e => Assert.Equal("web/nginx: Readiness probe failed: HTTP probe failed with statuscode: 500", e));
        Assert.Empty(_failed);

        _prober.Answer("/ready", ProbeOutcome.Success());
        Seconds(5);
        Assert.True(_manager.IsReady(Uid, "nginx"));
    }

    [Fact]
    public void Success_threshold_needs_that_many_successes_in_a_row()
    {
        Run(Pod(readiness: Http("/ready", period: 1, success: 3)));
        Seconds(0);
        Seconds(1);
        Assert.False(_manager.IsReady(Uid, "nginx"));
        Seconds(1);
        Assert.True(_manager.IsReady(Uid, "nginx"));
    }

    [Theory]
    [InlineData(0, 10, new[] { 0.0, 10, 20 })]
    [InlineData(15, 10, new[] { 15.0, 25 })]
    [InlineData(3, 2, new[] { 3.0, 5, 7 })]
    public void First_probe_waits_initial_delay_then_every_period(int initialDelay, int period, double[] expectedAt)
    {
        var seen = new List<double>();
        Run(Pod(readiness: Http("/ready", period: period, initialDelay: initialDelay)));
        if (_prober.CountOf("/ready") > 0) seen.Add(0);
        for (var t = 1; t <= expectedAt[^1]; t++)
        {
            var before = _prober.CountOf("/ready");
            Seconds(1);
            if (_prober.CountOf("/ready") > before) seen.Add(t);
        }
        Assert.Equal(expectedAt, seen);
    }

    [Fact]
    public void Initial_delay_counts_from_the_container_start_not_from_the_update()
    {
        Run(Pod(readiness: Http("/ready", initialDelay: 10)), startedAt: Start - TimeSpan.FromSeconds(8));
        Seconds(1);
        Assert.Equal(0, _prober.CountOf("/ready"));
        Seconds(1);
        Assert.Equal(1, _prober.CountOf("/ready"));
    }

    [Fact]
    public void Liveness_failure_threshold_reports_the_restart_once_and_stops_probing()
    {
        _prober.Answer("/live", ProbeOutcome.Failure("HTTP probe failed with statuscode: 500"));
        Run(Pod(liveness: Http("/live", period: 1, failure: 2)));
        Assert.Empty(_failed);
        Seconds(1);
        Assert.Equal(["uid-1/nginx: Liveness probe failed: HTTP probe failed with statuscode: 500"], _failed);
        Seconds(5);
        Assert.Equal(2, _prober.CountOf("/live"));
        Assert.Single(_failed);
        Assert.Empty(_changed);
    }

    [Fact]
    public void Restarted_container_gets_fresh_workers()
    {
        _prober.Answer("/live", ProbeOutcome.Failure("dead"));
        Run(Pod(readiness: Http("/ready"), liveness: Http("/live", failure: 1)));
        Assert.Single(_failed);
        Assert.True(_manager.IsReady(Uid, "nginx"));

        _prober.Answer("/live", ProbeOutcome.Success());
        Run(Pod(readiness: Http("/ready", initialDelay: 2), liveness: Http("/live", failure: 1)), containerId: "c2");
        Assert.False(_manager.IsReady(Uid, "nginx"));
        Seconds(2);
        Assert.True(_manager.IsReady(Uid, "nginx"));
        Assert.Contains(_prober.Calls, c => c.ContainerId == "c2" && c.Kind == "/live");
    }

    [Fact]
    public void Startup_probe_gates_readiness_and_liveness()
    {
        _prober.Answer("/started", ProbeOutcome.Failure("not yet"));
        Run(Pod(readiness: Http("/ready", period: 1), liveness: Http("/live", period: 1), startup: Http("/started", period: 1)));
        Seconds(1);
        Assert.False(_manager.IsStarted(Uid, "nginx"));
        Assert.Equal(0, _prober.CountOf("/ready") + _prober.CountOf("/live"));

        _prober.Answer("/started", ProbeOutcome.Success());
        Seconds(1);
        Assert.True(_manager.IsStarted(Uid, "nginx"));
        Seconds(1);
        Assert.True(_manager.IsReady(Uid, "nginx"));
        // Readiness was first asked only after the startup probe passed.
        Assert.True(_prober.Calls.ToList().FindIndex(c => c.Kind == "/ready") > _prober.Calls.ToList().FindLastIndex(c => c.Kind == "/started"));
        Assert.True(_prober.CountOf("/live") >= 1);
        // A passed startup probe is never run again.
        var startups = _prober.CountOf("/started");
        Seconds(5);
        Assert.Equal(startups, _prober.CountOf("/started"));
    }

    [Fact]
    public void Startup_probe_that_keeps_failing_reports_a_restart()
    {
        _prober.Answer("/started", ProbeOutcome.Failure("HTTP probe failed with statuscode: 503"));
        Run(Pod(startup: Http("/started", period: 1, failure: 3)));
        Seconds(1);
        Seconds(1);
        Assert.Equal(["uid-1/nginx: Startup probe failed: HTTP probe failed with statuscode: 503"], _failed);
    }

    [Fact]
    public void Errors_leave_the_result_alone_but_are_reported()
    {
        Run(Pod(readiness: Http("/ready", period: 1, failure: 1)));
        Seconds(0);
        _prober.Answer("/ready", ProbeOutcome.Error("couldn't find port: web in container nginx"));
        Seconds(1);
        Assert.True(_manager.IsReady(Uid, "nginx"));
        Assert.Equal(["web/nginx: Readiness probe errored: couldn't find port: web in container nginx"], _events);
    }

    [Fact]
    public void Removed_pod_stops_its_workers()
    {
        Run(Pod(readiness: Http("/ready", period: 1)));
        Seconds(0);
        _manager.Remove(Uid);
        var calls = _prober.Calls.Count;
        Seconds(10);
        Assert.Equal(calls, _prober.Calls.Count);
        Assert.False(_manager.IsReady(Uid, "nginx"));
    }
}
