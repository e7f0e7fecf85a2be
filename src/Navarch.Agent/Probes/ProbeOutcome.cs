namespace Navarch.Agent.Probes;

/// <summary>What one probe attempt found.</summary>
public enum ProbeVerdict
{
    /// <summary>The check passed.</summary>
    Success,
    /// <summary>The check ran and failed (it counts towards failureThreshold).</summary>
    Failure,
    /// <summary>The check could not run at all (misconfigured probe, runtime error); upstream leaves the result as it was.</summary>
    Error,
}

/// <summary>The verdict of one probe attempt with upstream's message (e.g. <c>HTTP probe failed with statuscode: 500</c>).</summary>
public sealed record ProbeOutcome(ProbeVerdict Verdict, string Message)
{
    /// <summary>A passed check.</summary>
    public static ProbeOutcome Success(string message = "") => new(ProbeVerdict.Success, message);

    /// <summary>A failed check.</summary>
    public static ProbeOutcome Failure(string message) => new(ProbeVerdict.Failure, message);

    /// <summary>A check that could not run.</summary>
    public static ProbeOutcome Error(string message) => new(ProbeVerdict.Error, message);
}
