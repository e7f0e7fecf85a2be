namespace Navarch.Agent.Pods;

/// <summary>Upstream's decisions about restarting an exited container, per the pod's restartPolicy.</summary>
public static class RestartRules
{
    /// <summary>restartPolicy Always (the default).</summary>
    public const string Always = "Always";

    /// <summary>restartPolicy OnFailure.</summary>
    public const string OnFailure = "OnFailure";

    /// <summary>restartPolicy Never.</summary>
    public const string Never = "Never";

    /// <summary>Whether a container that exited with <paramref name="exitCode"/> is started again: Always yes, OnFailure on a non-zero code, Never no.</summary>
    public static bool ShouldRestart(string? restartPolicy, int exitCode) => (restartPolicy ?? Always) switch
    {
        Never => false,
        OnFailure => exitCode != 0,
        _ => true,
    };

    /// <summary>Whether an init container that exited with <paramref name="exitCode"/> runs again: a failed one unless the pod's policy is Never; a succeeded one never.</summary>
    public static bool ShouldRestartInit(string? restartPolicy, int exitCode) => exitCode != 0 && restartPolicy != Never;
}
