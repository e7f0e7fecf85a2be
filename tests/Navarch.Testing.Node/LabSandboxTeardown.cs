using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Agent.Containerd;
using Navarch.Cri;

namespace Navarch.Testing;

/// <summary>
/// Removes every pod sandbox of a lab node's containerd through CRI, so that CNI DEL runs (skipping it leaves files
/// in the host-wide <c>/var/lib/cni/results</c>). If that containerd no longer answers, waits for it to be gone and
/// starts a containerd of its own on the same state, inside the node's namespace, just for the removal.
/// </summary>
internal sealed class LabSandboxTeardown(NetNs netns, ContainerdOptions containerd, Action<string> seen)
{
    // containerd removes sandboxes concurrently well; a few at once cuts a 100-pod teardown from ~30 s to a few.
    private const int Parallelism = 8;

    /// <summary>Removes every sandbox, through <paramref name="cri"/> if it answers, else through a containerd restarted for it.</summary>
    public async Task RunAsync(CriRuntime? cri, CancellationToken ct)
    {
        if (cri is not null && await TryRemoveAllAsync(cri, ct)) return;
        var paths = containerd.Paths();
        if (!Directory.Exists(paths.Root)) return;
        await WaitForContainerdGoneAsync(ct);
        await using var supervisor = new ContainerdSupervisor(containerd, NullLogger<ContainerdSupervisor>.Instance);
        await supervisor.StartAsync(ct);
        using var again = CriRuntime.Connect(RuntimeEndpoint.FromSocketPath(paths.Socket), TimeSpan.FromSeconds(30));
        await TryRemoveAllAsync(again, ct);
        await supervisor.StopAsync(ct);
    }

    private async Task<bool> TryRemoveAllAsync(CriRuntime cri, CancellationToken ct)
    {
        IReadOnlyList<SandboxInfo> sandboxes;
        try { sandboxes = await cri.ListSandboxesAsync(null, ct); }
        catch (RuntimeException e) when (e.Code == RuntimeErrorCode.Unavailable) { return false; }
        foreach (var s in sandboxes) seen(s.Id);
        await Parallel.ForEachAsync(sandboxes, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (s, token) =>
        {
            await cri.StopSandboxAsync(s.Id, token);
            await cri.RemoveSandboxAsync(s.Id, token);
        });
        return true;
    }

    // A containerd that got the terminal's SIGINT may still be shutting down; a second one on the same root would wait on its lock.
    private async Task WaitForContainerdGoneAsync(CancellationToken ct)
    {
        for (var i = 0; i < 100; i++)
        {
            var left = (await netns.PidsAsync()).Where(IsContainerd).ToList();
            if (left.Count == 0) return;
            if (i == 50) foreach (var pid in left) LabNative.Kill(pid, LabNative.SigKill);
            await Task.Delay(50, ct);
        }
    }

    private static bool IsContainerd(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim() == "containerd"; }
        catch (IOException) { return false; }
    }
}
