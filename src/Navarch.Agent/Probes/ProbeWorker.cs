using k8s.Models;

namespace Navarch.Agent.Probes;

/// <summary>
/// One probe of one container instance: probes on a timer (first at container start + initialDelaySeconds, then every
/// periodSeconds, never two at once), counts consecutive results against the thresholds, and reports a result change.
/// Mirrors upstream's prober worker: readiness starts failed, liveness passed, startup not yet passed; liveness and
/// readiness wait for the startup probe; a liveness or startup worker stops once it reports the failure that restarts
/// its container (the new container gets a new worker).
/// </summary>
internal sealed class ProbeWorker : IDisposable
{
    private readonly ProbeSettings _settings;
    private readonly Func<ProbeTarget> _target;
    private readonly Func<bool> _started;
    private readonly IProber _prober;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _containerStartedAt;
    private readonly Action<ProbeWorker, bool, string> _resultChanged;
    private readonly Action<ProbeWorker, string> _unhealthy;
    private readonly CancellationTokenSource _stop = new();

    // Guarded by _gate: the threshold counting and the timer.
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool? _lastOutcome;
    private int _run;
    private bool _busy;
    private bool _done;
    private volatile bool _result;

    /// <param name="kind">Which probe this is.</param>
    /// <param name="probe">The probe from the pod spec.</param>
    /// <param name="containerId">The container instance it watches.</param>
    /// <param name="containerStartedAt">When that instance started (initialDelaySeconds counts from here).</param>
    /// <param name="target">Where to aim (read at every attempt, so a pod IP learnt later is used).</param>
    /// <param name="started">Whether the container's startup probe has passed (or it has none).</param>
    /// <param name="prober">Runs one attempt.</param>
    /// <param name="time">The clock.</param>
    /// <param name="resultChanged">Called with the new result and the last attempt's message when the result flips.</param>
    /// <param name="unhealthy">Called with an event message for every failed or errored attempt.</param>
    public ProbeWorker(ProbeKind kind, V1Probe probe, string containerId, DateTimeOffset containerStartedAt, Func<ProbeTarget> target,
        Func<bool> started, IProber prober, TimeProvider time, Action<ProbeWorker, bool, string> resultChanged, Action<ProbeWorker, string> unhealthy)
    {
        Kind = kind;
        ContainerId = containerId;
        _settings = ProbeSettings.From(probe, kind);
        _containerStartedAt = containerStartedAt;
        _target = target;
        _started = started;
        _prober = prober;
        _time = time;
        _resultChanged = resultChanged;
        _unhealthy = unhealthy;
        _result = kind == ProbeKind.Liveness;
    }

    /// <summary>Which probe this is.</summary>
    public ProbeKind Kind { get; }

    /// <summary>The container instance this worker watches.</summary>
    public string ContainerId { get; }

    /// <summary>The current result: ready, alive, or started.</summary>
    public bool Result => _result;

    /// <summary>Arms the timer.</summary>
    public void Start()
    {
        var firstDue = _containerStartedAt + _settings.InitialDelay - _time.GetUtcNow();
        if (firstDue < TimeSpan.Zero) firstDue = TimeSpan.Zero;
        // Armed after it is stored: a due time of zero may fire at once, on this thread.
        var timer = _time.CreateTimer(_ => Tick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            if (_done) { timer.Dispose(); return; }
            _timer = timer;
        }
        timer.Change(firstDue, _settings.Period);
    }

    private void Tick()
    {
        lock (_gate)
        {
            if (_done || _busy) return;
            // Upstream: liveness and readiness are not run until the startup probe has passed.
            if (Kind != ProbeKind.Startup && !_started()) return;
            _busy = true;
        }
        _ = ProbeAsync();
    }

    private async Task ProbeAsync()
    {
        ProbeOutcome outcome;
        try
        {
            outcome = await _prober.RunAsync(_target(), _settings.Timeout, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e)
        {
            // A prober must not throw; if one does, treat it as upstream treats a prober error.
            outcome = ProbeOutcome.Error(e.Message);
        }
        finally
        {
            lock (_gate) _busy = false;
        }
        Apply(outcome);
    }

    private void Apply(ProbeOutcome outcome)
    {
        string? eventMessage = outcome.Verdict switch
        {
            ProbeVerdict.Failure => $"{Kind} probe failed: {outcome.Message}",
            ProbeVerdict.Error => $"{Kind} probe errored: {outcome.Message}",
            _ => null,
        };
        bool changed;
        bool result;
        lock (_gate)
        {
            if (_done) return;
            // An error says nothing about the container: upstream throws the attempt away.
            if (outcome.Verdict == ProbeVerdict.Error)
            {
                changed = false;
                result = _result;
            }
            else
            {
                var passed = outcome.Verdict == ProbeVerdict.Success;
                if (_lastOutcome == passed) _run++;
                else { _lastOutcome = passed; _run = 1; }
                var enough = passed ? _run >= _settings.SuccessThreshold : _run >= _settings.FailureThreshold;
                result = enough ? passed : _result;
                // A failing liveness or startup probe is reported every time it reaches the threshold: it restarts the container.
                changed = enough && (result != _result || (!passed && Kind != ProbeKind.Readiness));
                _result = result;
                // A failed liveness/startup restarts the container, and a passed startup probe is never run again.
                if (enough && (Kind == ProbeKind.Startup || (Kind == ProbeKind.Liveness && !passed))) StopLocked();
            }
        }
        if (eventMessage is not null) _unhealthy(this, eventMessage);
        if (changed) _resultChanged(this, result, eventMessage ?? "");
    }

    private void StopLocked()
    {
        _done = true;
        _timer?.Dispose();
        _timer = null;
    }

    /// <summary>Stops the timer and cancels an attempt in flight; late results are dropped. Idempotent.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_done && _timer is null && _stop.IsCancellationRequested) return;
            StopLocked();
        }
        try { _stop.Cancel(); } catch (ObjectDisposedException) { }
    }
}
