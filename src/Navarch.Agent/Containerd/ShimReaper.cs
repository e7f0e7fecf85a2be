namespace Navarch.Agent.Containerd;

/// <summary>
/// Finds and kills the runtime shims of one containerd after it stopped. Shims outlive containerd on
/// purpose (containers survive a daemon restart) and re-parent to PID 1, so they are found by the
/// <c>-address SOCKET</c> argument every shim carries, and killed by PID with the containers below them.
/// </summary>
internal static class ShimReaper
{
    /// <summary>PIDs of the live shims started by the containerd listening on <paramref name="socket"/>.</summary>
    public static IReadOnlyList<int> FindShims(string socket) =>
        ProcessTable.AllPids().Where(pid => IsShimOf(ProcessTable.CommandLine(pid), socket) && ProcessTable.IsAlive(pid)).ToArray();

    /// <summary>Whether an argument vector is a containerd shim's for <paramref name="socket"/>.</summary>
    public static bool IsShimOf(IReadOnlyList<string> argv, string socket)
    {
        if (argv.Count == 0 || !Path.GetFileName(argv[0]).StartsWith("containerd-shim", StringComparison.Ordinal)) return false;
        for (var i = 0; i + 1 < argv.Count; i++)
            if (argv[i] is "-address" or "--address" && argv[i + 1] == socket) return true;
        return false;
    }

    /// <summary>SIGKILLs the shims of <paramref name="socket"/> and everything below them; returns the PIDs it killed once they are dead.</summary>
    public static async Task<IReadOnlyList<int>> KillAsync(string socket, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var shims = FindShims(socket);
        if (shims.Count == 0) return [];
        var victims = ProcessTable.Descendants(shims).Concat(shims).ToArray();
        foreach (var pid in victims) ProcessTable.Signal(pid, ProcessTable.SigKill);
        var deadline = DateTime.UtcNow + timeout;
        while (victims.Any(ProcessTable.IsAlive) && DateTime.UtcNow < deadline)
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        return victims;
    }
}
