using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;

namespace Navarch.Integration.Tests;

/// <summary>
/// A cluster's data directory, made by a real server that was then stopped with SIGTERM: the server created the
/// directory (it did not exist), and the tests below damage copies of it.
/// </summary>
public sealed class StoppedClusterFixture : IAsyncLifetime
{
    private readonly string _parent = Directory.CreateTempSubdirectory("navarch-stopped-").FullName;

    public string DataDir => Path.Combine(_parent, "data");

    public async Task InitializeAsync()
    {
        await using var server = ServerProcess.Create(DataDir, ServerFixture.ApiServerOnly);
        await server.RestartAsync();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        await TestNamespaces.CreateAsync(client, "kept");
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"pod-{i}"), "kept")));
        var (exit, _) = await server.TerminateAsync(TimeSpan.FromSeconds(10));
        Assert.True(exit == 0, $"the server exited with {exit} on SIGTERM:\n{server.Output}");
        Modes = [$"data {Mode(DataDir)}", .. Directory.EnumerateFiles(DataDir).Select(f => $"{Path.GetFileName(f)} {Mode(f)}").Order()];
        Copy(DataDir, Path.Combine(_parent, "pristine")); // the server's dispose deletes DataDir
    }

    /// <summary>The mode of the data directory and of each file in it, as the stopped server left them.</summary>
    public IReadOnlyList<string> Modes { get; private set; } = [];

    private static string Mode(string path) => OperatingSystem.IsWindows() ? "n/a" : Convert.ToString((int)File.GetUnixFileMode(path), 8);

    /// <summary>A fresh copy of the stopped cluster's files, in a directory of its own.</summary>
    public string CopyOfCluster() =>
        Copy(Path.Combine(_parent, "pristine"), Path.Combine(Directory.CreateTempSubdirectory("navarch-damaged-").FullName, "data"));

    private static string Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        return to;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_parent, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>A damaged store stops the server at start with one line, and leaves the files as they were.</summary>
[Trait("Category", "Integration")]
public sealed class StoreStartupTests(StoppedClusterFixture cluster) : IClassFixture<StoppedClusterFixture>
{
    [Theory]
    [InlineData("empty", "is empty (0 bytes) but")]
    [InlineData("truncated", "is truncated")]
    [InlineData("damaged page", "failed its integrity check")]
    public async Task A_damaged_database_stops_the_server_at_start_with_one_line_and_changes_nothing(string damage, string expected)
    {
        var dir = cluster.CopyOfCluster();
        switch (damage)
        {
            case "empty": StoreDamage.Empty(dir); break;
            case "truncated": StoreDamage.Truncate(dir); break;
            default: StoreDamage.DamagePage(dir); break;
        }
        var before = StoreDamage.Fingerprint(dir);
        try
        {
            await using var server = ServerProcess.Create(dir, ServerFixture.ApiServerOnly);
            var exit = await server.RunToExitAsync(TimeSpan.FromSeconds(30));

            var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(exit == 1, $"exit {exit} with a store that is {damage}:\n{server.Output}");
            Assert.True(lines.Length == 1 && lines[0].StartsWith("navarch server: cannot start: ", StringComparison.Ordinal) && lines[0].Contains(expected),
                $"expected one line saying \"{expected}\", got:\n{server.Output}");
            Assert.Equal(before, StoreDamage.Fingerprint(dir));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, recursive: true);
        }
    }

    [Fact]
    public void The_server_made_its_data_directory_0700_and_every_file_in_it_0600_and_left_no_WAL()
    {
        Assert.Equal(["data 700", "navarch.cluster 600", "navarch.db 600", "navarch.db.lock 600"], cluster.Modes);
    }
}
