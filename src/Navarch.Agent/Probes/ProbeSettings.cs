using k8s.Models;

namespace Navarch.Agent.Probes;

/// <summary>A probe's timing fields with upstream's defaults filled in (the API server defaults them too; agents must not rely on it).</summary>
public sealed record ProbeSettings(TimeSpan InitialDelay, TimeSpan Period, TimeSpan Timeout, int SuccessThreshold, int FailureThreshold)
{
    /// <summary>Upstream defaults: periodSeconds 10, timeoutSeconds 1, successThreshold 1, failureThreshold 3.</summary>
    public static ProbeSettings From(V1Probe probe, ProbeKind kind) => new(
        TimeSpan.FromSeconds(Math.Max(0, probe.InitialDelaySeconds ?? 0)),
        TimeSpan.FromSeconds(Positive(probe.PeriodSeconds, 10)),
        TimeSpan.FromSeconds(Positive(probe.TimeoutSeconds, 1)),
        // Liveness and startup must succeed once to count (validation insists on 1; be lenient, not wrong).
        kind == ProbeKind.Readiness ? Positive(probe.SuccessThreshold, 1) : 1,
        Positive(probe.FailureThreshold, 3));

    private static int Positive(int? value, int fallback) => value is > 0 ? value.Value : fallback;
}
