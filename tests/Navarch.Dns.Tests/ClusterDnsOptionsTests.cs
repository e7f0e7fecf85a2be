using Navarch.Dns;

namespace Navarch.Dns.Tests;

/// <summary>Bad values of the cluster DNS flags are refused with a line naming the flag.</summary>
public class ClusterDnsOptionsTests
{
    [Theory]
    [InlineData("", "--cluster-domain: \"\" is not a DNS domain")]
    [InlineData("cluster..local", "--cluster-domain: \"cluster..local\" is not a DNS domain")]
    [InlineData("cluster local", "--cluster-domain: \"cluster local\" is not a DNS domain")]
    public void A_bad_cluster_domain_is_refused(string domain, string message)
    {
        var e = Assert.Throws<ArgumentException>(new ClusterDnsOptions { ClusterDomain = domain }.Validate);
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void A_port_outside_the_range_is_refused(int port)
    {
        var e = Assert.Throws<ArgumentException>(new ClusterDnsOptions { Port = port }.Validate);
        Assert.Equal($"--cluster-dns-port: {port} is not a port", e.Message);
    }
}
