using Navarch.Agent.Probes;

namespace Navarch.Agent.Tests.Probes;

/// <summary>A prober that answers from a script per (container, probe kind) and records every attempt.</summary>
internal sealed class ScriptedProber : IProber
{
    private readonly Dictionary<string, ProbeOutcome> _answers = [];
    private readonly List<(string Container, string Kind, string ContainerId)> _calls = [];

    /// <summary>Every answer for the probe whose path (httpGet) or first exec word is <paramref name="key"/> is <paramref name="outcome"/> from now on.</summary>
    public void Answer(string key, ProbeOutcome outcome)
    {
        lock (_answers) _answers[key] = outcome;
    }

    public IReadOnlyList<(string Container, string Kind, string ContainerId)> Calls
    {
        get { lock (_calls) return _calls.ToList(); }
    }

    public int CountOf(string key)
    {
        lock (_calls) return _calls.Count(c => c.Kind == key);
    }

    public Task<ProbeOutcome> RunAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var key = KeyOf(target);
        lock (_calls) _calls.Add((target.Container.Name, key, target.ContainerId));
        lock (_answers)
            return Task.FromResult(_answers.TryGetValue(key, out var outcome) ? outcome : ProbeOutcome.Success());
    }

    /// <summary>Tests tell probes apart by their httpGet path (e.g. <c>/ready</c>).</summary>
    private static string KeyOf(ProbeTarget target) => target.Probe.HttpGet?.Path ?? target.Probe.Exec?.Command?[0] ?? "tcp";
}
