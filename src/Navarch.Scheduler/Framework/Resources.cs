using k8s.Models;

namespace Navarch.Scheduler.Framework;

/// <summary>The compute resources the scheduler accounts: milli-CPUs, bytes of memory, and a pod count.</summary>
public readonly record struct Resources(long MilliCpu, long Memory, long Pods)
{
    /// <summary>Upstream's default CPU request for a container without one, used only for scoring.</summary>
    public const long DefaultMilliCpuRequest = 100;
    /// <summary>Upstream's default memory request (200 MiB) for a container without one, used only for scoring.</summary>
    public const long DefaultMemoryRequest = 200L * 1024 * 1024;

    public static Resources operator +(Resources a, Resources b) => new(a.MilliCpu + b.MilliCpu, a.Memory + b.Memory, a.Pods + b.Pods);
    public static Resources operator -(Resources a, Resources b) => new(a.MilliCpu - b.MilliCpu, a.Memory - b.Memory, a.Pods - b.Pods);

    /// <summary>The larger of each resource.</summary>
    public static Resources Max(Resources a, Resources b) => new(Math.Max(a.MilliCpu, b.MilliCpu), Math.Max(a.Memory, b.Memory), Math.Max(a.Pods, b.Pods));

    /// <summary>cpu, memory and pods of a resource list (allocatable, requests); absent ones are 0.</summary>
    public static Resources From(IDictionary<string, ResourceQuantity>? list) => new(
        MilliCpuOf(list, "cpu"), ValueOf(list, "memory"), ValueOf(list, "pods"));

    /// <summary>The requests of one container, with upstream's non-zero defaults when <paramref name="nonZero"/> (for scoring).</summary>
    public static Resources OfContainer(V1Container container, bool nonZero)
    {
        var requests = container.Resources?.Requests;
        var cpu = MilliCpuOf(requests, "cpu");
        var memory = ValueOf(requests, "memory");
        if (nonZero)
        {
            if (requests is null || !requests.ContainsKey("cpu")) cpu = DefaultMilliCpuRequest;
            if (requests is null || !requests.ContainsKey("memory")) memory = DefaultMemoryRequest;
        }
        return new Resources(cpu, memory, 0);
    }

    private static long MilliCpuOf(IDictionary<string, ResourceQuantity>? list, string name) =>
        list is not null && list.TryGetValue(name, out var q) && q is not null ? (long)Math.Ceiling(q.ToDecimal() * 1000m) : 0;

    private static long ValueOf(IDictionary<string, ResourceQuantity>? list, string name) =>
        list is not null && list.TryGetValue(name, out var q) && q is not null ? (long)Math.Ceiling(q.ToDecimal()) : 0;
}
