using Navarch.Cri;

namespace Navarch.Agent.Pods;

/// <summary>Reads what the runtime holds for a pod into a <see cref="PodRuntimeView"/>.</summary>
public static class PodRuntimeReader
{
    /// <summary>The sandboxes of the pod named <paramref name="podNamespace"/>/<paramref name="podName"/>, of any UID.</summary>
    public static Task<IReadOnlyList<SandboxInfo>> SandboxesByNameAsync(ICriRuntime runtime, string podNamespace, string podName, CancellationToken ct) =>
        runtime.ListSandboxesAsync(new Dictionary<string, string>
        {
            [RuntimeLabels.PodNamespace] = podNamespace,
            [RuntimeLabels.PodName] = podName,
            [RuntimeLabels.ManagedBy] = RuntimeLabels.ManagedByAgent,
        }, ct);

    /// <summary>The newest of <paramref name="sandboxes"/> (highest attempt, then latest created), or null.</summary>
    public static SandboxInfo? Newest(IEnumerable<SandboxInfo> sandboxes) =>
        sandboxes.OrderByDescending(s => s.Attempt).ThenByDescending(s => s.CreatedAt).FirstOrDefault();

    /// <summary>The view of <paramref name="sandbox"/> (null: the empty view): its status and, per container name, the two newest containers.</summary>
    public static async Task<PodRuntimeView> ReadAsync(ICriRuntime runtime, SandboxInfo? sandbox, CancellationToken ct)
    {
        if (sandbox is null) return PodRuntimeView.Empty;
        SandboxStatus status;
        try { status = await runtime.SandboxStatusAsync(sandbox.Id, ct); }
        catch (RuntimeException e) when (e.Code == RuntimeErrorCode.NotFound) { return PodRuntimeView.Empty; }
        var containers = await runtime.ListContainersAsync(new ContainerFilter { SandboxId = sandbox.Id }, ct);
        var histories = new Dictionary<string, ContainerHistory>(StringComparer.Ordinal);
        foreach (var group in containers.GroupBy(c => c.Name))
        {
            var ordered = group.OrderByDescending(c => c.Attempt).ThenByDescending(c => c.CreatedAt).Take(2).ToList();
            var latest = await StatusOrNullAsync(runtime, ordered[0].Id, ct);
            if (latest is null) continue;
            var previous = ordered.Count > 1 ? await StatusOrNullAsync(runtime, ordered[1].Id, ct) : null;
            histories[group.Key] = new ContainerHistory(latest, previous);
        }
        return new PodRuntimeView(status, histories);
    }

    private static async Task<ContainerStatus?> StatusOrNullAsync(ICriRuntime runtime, string id, CancellationToken ct)
    {
        try { return await runtime.ContainerStatusAsync(id, ct); }
        catch (RuntimeException e) when (e.Code == RuntimeErrorCode.NotFound) { return null; }
    }
}
