using Navarch.Agent.Runtime;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Runtime;

[Trait("Category", "Unit")]
public sealed class PodIpPoolTests
{
    [Theory]
    [InlineData("10.244.1.0/24", "10.244.1.2", 253)]
    [InlineData("10.250.0.0/30", "10.250.0.2", 1)]
    [InlineData("172.16.0.0/16", "172.16.0.2", 65533)]
    public void Hands_out_from_the_first_host_after_the_gateway_up_to_before_broadcast(string cidr, string first, int capacity)
    {
        var pool = new PodIpPool(cidr);
        Assert.Equal(first, pool.Allocate());
        for (var i = 1; i < capacity; i++) Assert.NotNull(pool.Allocate());
        Assert.Null(pool.Allocate());
    }

    [Theory]
    [InlineData("not-a-cidr")]
    [InlineData("10.0.0.0/31")]
    [InlineData("fd00::/64")]
    [InlineData("10.0.0.1/24")]
    public void Rejects_what_is_no_usable_ipv4_range(string cidr) =>
        Assert.Throws<ArgumentException>(() => new PodIpPool(cidr));

    [Fact]
    public void Reserved_addresses_are_skipped_and_released_ones_reused_only_after_wrapping_around()
    {
        var pool = new PodIpPool("10.0.0.0/29");
        Assert.True(pool.Reserve("10.0.0.2"));
        Assert.False(pool.Reserve("10.0.0.2"));
        Assert.False(pool.Reserve("10.0.1.5"));
        Assert.Equal("10.0.0.3", pool.Allocate());
        pool.Release("10.0.0.2");
        Assert.Equal(new string?[] { "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.2" }, new[] { pool.Allocate(), pool.Allocate(), pool.Allocate(), pool.Allocate() });
        Assert.Null(pool.Allocate());
        Assert.Equal(5, pool.Allocated);
    }
}
