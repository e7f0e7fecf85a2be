using System.Text;
using Navarch.Agent.Server;
using Navarch.Streaming;

namespace Navarch.Agent.Tests.Server;

[Trait("Category", "Unit")]
public sealed class ExecStatusTests
{
    [Fact]
    public void Success_is_upstreams_bytes() =>
        Assert.Equal("""{"metadata":{},"status":"Success"}""", Encoding.UTF8.GetString(ExecStatus.Success()));

    [Fact]
    public void Non_zero_exit_is_upstreams_bytes() => Assert.Equal(
        """{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}""",
        Encoding.UTF8.GetString(ExecStatus.NonZeroExit(["sh", "-c", "exit 3"], 3)));

    [Fact]
    public void Internal_error_is_upstreams_shape() => Assert.Equal(
        """{"metadata":{},"status":"Failure","message":"Internal error occurred: boom","reason":"InternalError","details":{"causes":[{"message":"boom"}]},"code":500}""",
        Encoding.UTF8.GetString(ExecStatus.InternalError("boom")));

    [Theory]
    [InlineData(new[] { "v5.channel.k8s.io", "v4.channel.k8s.io" }, "v5.channel.k8s.io")]
    [InlineData(new[] { "channel.k8s.io", "v4.channel.k8s.io" }, "v4.channel.k8s.io")]
    [InlineData(new[] { "v3.channel.k8s.io" }, null)]
    public void Chooses_the_first_protocol_it_speaks(string[] requested, string? chosen) =>
        Assert.Equal(chosen, RemoteCommand.Choose(requested));
}
