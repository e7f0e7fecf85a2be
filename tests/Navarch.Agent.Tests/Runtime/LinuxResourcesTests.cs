using Navarch.Cri;

namespace Navarch.Agent.Tests.Runtime;

[Trait("Category", "Unit")]
public sealed class LinuxResourcesTests
{
    [Theory]
    [InlineData("no resources: minimum shares, no quota", 0, 0, 0, 2, 0, 0, 0)]
    [InlineData("half a CPU request and limit", 500, 500, 0, 512, 100_000, 50_000, 0)]
    [InlineData("one CPU limit, 64 MiB", 1000, 1000, 64L << 20, 1024, 100_000, 100_000, 64L << 20)]
    [InlineData("a tiny limit gets the kernel's 1 ms minimum quota", 1, 1, 0, 2, 100_000, 1_000, 0)]
    [InlineData("a huge request is clamped", 1_000_000, 0, 0, 262_144, 0, 0, 0)]
    public void Converts_like_the_kubelet(string because, long request, long limit, long memory, long shares, long period, long quota, long memoryLimit)
    {
        var r = LinuxResources.FromKubernetes(request, limit, memory);
        Assert.True(new LinuxResources(shares, period, quota, memoryLimit) == r, $"{because}: got {r}");
    }
}
