using Navarch.ApiServer;

namespace Navarch.ApiServer.Tests;

/// <summary>Bad values of the flags added with several API servers are refused at start with a line naming the flag.</summary>
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
}
