namespace Navarch.Agent.Probes;

/// <summary>The three probes a container can have; the name is the one upstream puts in events ("Readiness probe failed").</summary>
public enum ProbeKind
{
    /// <summary>Failing it restarts the container.</summary>
    Liveness,
    /// <summary>Failing it takes the container (and pod) out of ready, and so out of Service endpoints.</summary>
    Readiness,
    /// <summary>Until it succeeds the other probes wait; failing it restarts the container.</summary>
    Startup,
}
