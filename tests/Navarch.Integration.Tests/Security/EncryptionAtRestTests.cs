using System.Security.Cryptography;
using System.Text;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// <c>--encryption-provider-config</c> with the real kubectl: a Secret's value never reaches the SQLite files in the
/// clear, reads back unchanged, and survives upstream's key rotation (new key second, then first, then every Secret rewritten).
/// </summary>
[Trait("Category", "Integration")]
public sealed class EncryptionAtRestTests : IAsyncLifetime
{
    private const string Value = "correct-horse-battery-staple-4711";
    private readonly string _config = Path.Combine(Directory.CreateTempSubdirectory("navarch-enc-").FullName, "encryption.yaml");
    private readonly string _key1 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _key2 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        await WriteConfigAsync(("aesgcm", "key1", _key1));
        _server = await ServerProcess.StartAsync("--encryption-provider-config", _config);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_config)!, recursive: true);
    }

    [Fact]
    public async Task A_secret_is_stored_encrypted_reads_back_unchanged_and_survives_key_rotation()
    {
        using var kubectl = new Kubectl(_server.Url);
        var created = await kubectl.RunAsync("create", "secret", "generic", "db", "--from-literal=password=" + Value);
        Assert.True(created.ExitCode == 0, created.ToString());
        await AssertReadsBackAsync(kubectl);
        AssertNotInDatabase();
        Assert.True(DatabaseHolds("k8s:enc:aesgcm:v1:key1:"), "the stored value should carry upstream's aesgcm prefix");

        // Rotation as upstream describes: the new key second (every server can read it), then first, then rewrite all.
        await WriteConfigAsync(("aesgcm", "key1", _key1), ("aesgcm", "key2", _key2));
        await RestartAsync();
        await AssertReadsBackAsync(kubectl);
        await WriteConfigAsync(("aesgcm", "key2", _key2), ("aesgcm", "key1", _key1));
        await RestartAsync();
        var before = await kubectl.RunAsync("get", "secret", "db", "-o", "jsonpath={.metadata.resourceVersion}");
        var all = await kubectl.RunAsync("get", "secrets", "-A", "-o", "json");
        var replaced = await kubectl.RunAsync(["replace", "-f", "-"], all.Stdout);
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        var after = await kubectl.RunAsync("get", "secret", "db", "-o", "jsonpath={.metadata.resourceVersion}");
        Assert.NotEqual(before.Stdout, after.Stdout); // unchanged, yet rewritten: it was in the old key

        // Only the new key left: the rewritten Secret still reads.
        await WriteConfigAsync(("aesgcm", "key2", _key2));
        await RestartAsync();
        await AssertReadsBackAsync(kubectl);
        AssertNotInDatabase();
    }

    /// <summary>Stops the server and starts it again, which reads the configuration anew (upstream reads it at start too).</summary>
    private async Task RestartAsync()
    {
        await _server.TerminateAsync(TimeSpan.FromSeconds(15));
        await _server.RestartAsync();
    }

    private async Task AssertReadsBackAsync(Kubectl kubectl)
    {
        var got = await kubectl.RunAsync("get", "secret", "db", "-o", "jsonpath={.data.password}");
        Assert.True(got.ExitCode == 0, got.ToString());
        Assert.Equal(Value, Encoding.UTF8.GetString(Convert.FromBase64String(got.Stdout)));
    }

    /// <summary>Neither the value nor its base64 (as the JSON holds it) is in the database, its WAL or anything beside.</summary>
    private void AssertNotInDatabase()
    {
        foreach (var needle in new[] { Value, Convert.ToBase64String(Encoding.UTF8.GetBytes(Value)) })
            Assert.False(DatabaseHolds(needle), $"\"{needle}\" is readable in the data directory");
    }

    private bool DatabaseHolds(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return Directory.EnumerateFiles(_server.DataDir, "navarch.db*").Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).Any(f =>
        {
            using var file = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var bytes = new MemoryStream();
            file.CopyTo(bytes);
            return bytes.GetBuffer().AsSpan(0, (int)bytes.Length).IndexOf(needle) >= 0;
        });
    }

    private Task WriteConfigAsync(params (string Type, string Name, string Secret)[] keys)
    {
        var providers = string.Join("", keys.GroupBy(k => k.Type).Select(g =>
            $"      - {g.Key}:\n          keys:\n" + string.Join("", g.Select(k => $"            - name: {k.Name}\n              secret: {k.Secret}\n"))));
        return File.WriteAllTextAsync(_config, $"""
            apiVersion: apiserver.config.k8s.io/v1
            kind: EncryptionConfiguration
            resources:
              - resources:
                  - secrets
                providers:
            {providers}      - identity: {"{}"}

            """);
    }
}

/// <summary>A configuration the server cannot use stops it at start with one line naming the flag and the problem.</summary>
[Trait("Category", "Integration")]
public sealed class EncryptionConfigurationRefusalTests
{
    [Theory]
    [InlineData("aescbc", "provider \"aescbc\" is not supported here")]
    [InlineData("aesgcm-short", "has 4 bytes; want 16, 24 or 32")]
    public async Task A_bad_configuration_stops_the_server_with_one_line(string provider, string problem)
    {
        var dir = Directory.CreateTempSubdirectory("navarch-enc-bad-").FullName;
        var config = Path.Combine(dir, "encryption.yaml");
        await File.WriteAllTextAsync(config, $$"""
            apiVersion: apiserver.config.k8s.io/v1
            kind: EncryptionConfiguration
            resources:
              - resources: [secrets]
                providers:
                  - {{provider.Split('-')[0]}}:
                      keys:
                        - name: k
                          secret: {{(provider == "aesgcm-short" ? "AAAAAA==" : Convert.ToBase64String(new byte[32]))}}
            """);
        await using var server = ServerProcess.Create(Path.Combine(dir, "data"), ["--encryption-provider-config", config]);
        var exit = await server.RunToExitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, exit);
        var line = server.Output.Trim();
        Assert.DoesNotContain("\n", line);
        Assert.Contains($"--encryption-provider-config: {config}: resources[0].providers[0]", line);
        Assert.Contains(problem, line);
    }
}
