using Navarch.Storage.Etcd;

namespace Navarch.Storage.Tests;

[Trait("Category", "Unit")]
public sealed class EtcdKeySpaceTests
{
    [Theory]
    [InlineData("/registry", "/registry", "/registry/pods/a/b", "/registry/pods/a/b")]
    [InlineData("/registry", "/cluster1", "/registry/pods/a/b", "/cluster1/pods/a/b")]
    [InlineData("/registry", "", "/registry/minions/n1", "/minions/n1")]
    [InlineData("", "/test7", "/k", "/test7/k")]
    public void The_store_root_is_replaced_by_the_etcd_prefix_and_back(string root, string prefix, string key, string etcdKey)
    {
        var keys = new EtcdKeySpace(root, prefix);

        Assert.Equal(etcdKey, keys.ToEtcd(key).ToStringUtf8());
        Assert.Equal(key, keys.FromEtcd(keys.ToEtcd(key)));
    }

    [Theory]
    [InlineData("/registry/pods/", "/cluster1/pods/", "/cluster1/pods0")]
    [InlineData("/registry", "/cluster1", "/cluster2")]
    [InlineData("", "/cluster1", "/cluster2")]
    [InlineData("/", "/cluster1", "/cluster2")]
    public void A_prefix_becomes_the_etcd_range_of_its_keys(string prefix, string start, string end)
    {
        var range = new EtcdKeySpace("/registry", "/cluster1").Range(prefix);

        Assert.Equal((start, end), (range!.Value.Start.ToStringUtf8(), range.Value.End.ToStringUtf8()));
    }

    [Fact]
    public void Keys_outside_the_root_are_refused_and_prefixes_outside_it_match_nothing()
    {
        var keys = new EtcdKeySpace("/registry", "/registry");

        Assert.Throws<ArgumentException>(() => keys.ToEtcd("/other/x"));
        Assert.Null(keys.Range("/other/"));
    }
}
