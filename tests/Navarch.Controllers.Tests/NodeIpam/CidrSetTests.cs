using Navarch.Controllers.NodeIpam;

namespace Navarch.Controllers.Tests.NodeIpam;

[Trait("Category", "Unit")]
public sealed class CidrSetTests
{
    [Fact]
    public void The_seed_network_hands_out_distinct_slash_24s_in_order()
    {
        var set = new CidrSet("172.16.0.0/16", 24);

        Assert.Equal(256, set.Capacity);
        Assert.Equal(new[] { "172.16.0.0/24", "172.16.1.0/24", "172.16.2.0/24" }, new[] { set.Allocate(), set.Allocate(), set.Allocate() });
    }

    [Fact]
    public void Exhaustion_answers_null_and_a_released_subnet_is_given_again()
    {
        var set = new CidrSet("10.9.0.0/23", 24);
        var a = set.Allocate();
        var b = set.Allocate();

        Assert.Null(set.Allocate());
        Assert.True(set.Release(a!));
        Assert.Equal(a, set.Allocate());
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Allocation_moves_on_after_the_last_one_given_rather_than_reusing_a_fresh_release()
    {
        var set = new CidrSet("10.9.0.0/22", 24);
        var first = set.Allocate();
        set.Allocate();
        set.Release(first!);

        Assert.Equal("10.9.2.0/24", set.Allocate());
    }

    [Fact]
    public void Occupied_subnets_found_on_nodes_are_skipped()
    {
        var set = new CidrSet("172.16.0.0/16", 24);

        Assert.True(set.Occupy("172.16.0.0/24"));
        Assert.True(set.Occupy("172.16.1.0/24"));

        Assert.Equal("172.16.2.0/24", set.Allocate());
        Assert.Equal(3, set.Used);
    }

    [Theory]
    [InlineData("192.168.0.0/24")]
    [InlineData("not a cidr")]
    [InlineData("fd00::/64")]
    public void Subnets_outside_the_network_are_refused(string cidr)
    {
        var set = new CidrSet("172.16.0.0/16", 24);
        Assert.False(set.Occupy(cidr));
        Assert.Equal(0, set.Used);
    }

    [Fact]
    public void A_larger_subnet_occupies_every_slash_24_it_covers()
    {
        var set = new CidrSet("172.16.0.0/16", 24);

        Assert.True(set.Occupy("172.16.0.0/23"));

        Assert.True(set.IsUsed("172.16.1.0/24"));
        Assert.Equal("172.16.2.0/24", set.Allocate());
    }

    [Theory]
    [InlineData("172.16.0.0/16", 15)]
    [InlineData("fd00::/48", 64)]
    [InlineData("bogus", 24)]
    public void Bad_settings_throw(string cidr, int mask) =>
        Assert.Throws<ArgumentException>(() => new CidrSet(cidr, mask));
}
