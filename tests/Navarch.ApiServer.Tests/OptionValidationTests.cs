using Navarch.ApiServer;

namespace Navarch.ApiServer.Tests;

/// <summary>Bad values of the server's flags are refused at start with a line naming the flag.</summary>
public class OptionValidationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_master_lease_shorter_than_a_second_is_refused(int seconds)
    {
        var options = new ApiServerOptions { MasterLeaseTtl = TimeSpan.FromSeconds(seconds) };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal("--master-lease-ttl-seconds must be at least 1", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3600)]
    public void A_signing_duration_that_is_not_positive_is_refused(int seconds)
    {
        var options = new ApiServerOptions { ClusterSigningDuration = TimeSpan.FromSeconds(seconds) };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal("--cluster-signing-duration: must be positive", e.Message);
    }
}
