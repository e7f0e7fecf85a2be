using Navarch.Agent.Pods;

namespace Navarch.Agent.Tests.Pods;

[Trait("Category", "Unit")]
public sealed class RestartRulesTests
{
    [Theory]
    [InlineData(null, 0, true)]
    [InlineData("Always", 0, true)]
    [InlineData("Always", 1, true)]
    [InlineData("OnFailure", 0, false)]
    [InlineData("OnFailure", 137, true)]
    [InlineData("Never", 0, false)]
    [InlineData("Never", 1, false)]
    public void AppContainers(string? policy, int exitCode, bool restart) =>
        Assert.Equal(restart, RestartRules.ShouldRestart(policy, exitCode));

    [Theory]
    [InlineData("Always", 0, false)]
    [InlineData("Always", 1, true)]
    [InlineData("OnFailure", 1, true)]
    [InlineData("Never", 1, false)]
    public void InitContainers(string policy, int exitCode, bool restart) =>
        Assert.Equal(restart, RestartRules.ShouldRestartInit(policy, exitCode));
}
