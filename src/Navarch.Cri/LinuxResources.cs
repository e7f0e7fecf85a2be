namespace Navarch.Cri;

/// <summary>
/// A container's cgroup limits in the units the kernel takes: CFS shares, quota per period (µs) and a
/// memory limit in bytes. Zero means "not set".
/// </summary>
public sealed record LinuxResources(long CpuShares, long CpuPeriod, long CpuQuota, long MemoryLimitBytes)
{
    /// <summary>The CFS period upstream's kubelet uses (100 ms).</summary>
    public const long DefaultCpuPeriod = 100_000;

    /// <summary>Smallest shares the kernel accepts; also what a container without a CPU request gets.</summary>
    public const long MinShares = 2;

    /// <summary>Largest shares the kernel accepts.</summary>
    public const long MaxShares = 262_144;

    /// <summary>Smallest CFS quota the kernel accepts (1 ms).</summary>
    public const long MinQuota = 1_000;

    /// <summary>
    /// Converts Kubernetes resources as upstream's kubelet does: shares = request (milli-CPU) × 1024 / 1000
    /// clamped to [2, 262144]; quota = limit × period / 1000, at least 1 ms, none without a CPU limit;
    /// memory limit = the memory limit in bytes.
    /// </summary>
    /// <param name="cpuRequestMilli">The CPU request in milli-CPU (0 if none).</param>
    /// <param name="cpuLimitMilli">The CPU limit in milli-CPU (0 if none).</param>
    /// <param name="memoryLimitBytes">The memory limit in bytes (0 if none).</param>
    public static LinuxResources FromKubernetes(long cpuRequestMilli, long cpuLimitMilli, long memoryLimitBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpuRequestMilli);
        ArgumentOutOfRangeException.ThrowIfNegative(cpuLimitMilli);
        ArgumentOutOfRangeException.ThrowIfNegative(memoryLimitBytes);
        var shares = Math.Clamp(cpuRequestMilli * 1024 / 1000, MinShares, MaxShares);
        var quota = cpuLimitMilli == 0 ? 0 : Math.Max(cpuLimitMilli * DefaultCpuPeriod / 1000, MinQuota);
        return new LinuxResources(shares, quota == 0 ? 0 : DefaultCpuPeriod, quota, memoryLimitBytes);
    }
}
