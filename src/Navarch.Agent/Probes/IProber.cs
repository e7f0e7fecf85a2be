using k8s.Models;

namespace Navarch.Agent.Probes;

/// <summary>What a probe aims at: the probe itself, its container (for named ports), the pod IP and the container id.</summary>
public sealed record ProbeTarget(V1Probe Probe, V1Container Container, string PodIp, string ContainerId);

/// <summary>Runs one probe attempt. The timing (period, thresholds) is the worker's business, not the prober's.</summary>
public interface IProber
{
    /// <summary>
    /// Runs <paramref name="target"/>'s probe once, giving up after <paramref name="timeout"/>. Never throws for a failed
    /// check: failures and errors come back as an outcome; only cancellation of <paramref name="cancellationToken"/> throws.
    /// </summary>
    Task<ProbeOutcome> RunAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken);
}
