using Navarch.ApiServer;
using Navarch.ApiServer.Bootstrap;

namespace Navarch.Integration.Tests.Security;

/// <summary>Where the <c>kubernetes</c> Service's endpoints send pods: the secure port whenever it is on.</summary>
[Trait("Category", "Unit")]
public sealed class AdvertisedAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", 8080, "0.0.0.0", 6443, "127.0.0.1", 6443)]
    [InlineData("192.168.0.201", 8080, "0.0.0.0", 6443, "192.168.0.201", 6443)]
    [InlineData("127.0.0.1", 8080, "10.1.2.3", 6443, "10.1.2.3", 6443)]
    [InlineData("127.0.0.1", 8080, "0.0.0.0", 0, "127.0.0.1", 8080)]
    [InlineData("127.0.0.1", 0, "0.0.0.0", 6443, "127.0.0.1", 6443)]
    public void The_endpoints_name_the_secure_port_when_it_is_on(string bind, int insecure, string bindAddress, int secure, string ip, int port)
    {
        var options = new ApiServerOptions { Bind = bind, InsecurePort = insecure, BindAddress = bindAddress, SecurePort = secure };
        Assert.Equal((ip, port), AdvertisedAddress.Of(options));
    }
}
