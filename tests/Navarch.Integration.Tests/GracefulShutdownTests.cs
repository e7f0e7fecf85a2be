using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Integration.Tests;

/// <summary>
/// SIGTERM stops the whole server (controllers and scheduler included) gracefully: open watches end with a clean end
/// of stream, writes in flight are answered or refused but never half-done, the WAL is folded into the database,
/// and the process exits 0 quickly.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private const int Watches = 50;
    private const int Writers = 4;
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);
    private static readonly string[] Watched = ["/api/v1/pods", "/api/v1/namespaces/shutdown/events", "/api/v1/services", "/api/v1/nodes", "/api/v1/namespaces"];

    [Fact]
    public async Task SIGTERM_with_50_open_watches_ends_them_cleanly_and_exits_0_within_5_s_leaving_no_WAL()
    {
        await using var server = await ServerProcess.StartAsync();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        await TestNamespaces.CreateAsync(client, "shutdown");
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = Timeout.InfiniteTimeSpan };

        var streams = new List<Task<string>>();
        for (var i = 0; i < Watches; i++)
        {
            // Headers come once the watch is registered in the watch cache.
            var response = await http.GetAsync($"{Watched[i % Watched.Length]}?watch=true", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            streams.Add(HowItEndsAsync(response));
        }

        var acknowledged = new ConcurrentBag<string>();
        using var stopWriting = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stopWriting.IsCancellationRequested; n++)
            {
                try
                {
                    var pod = await client.CoreV1.CreateNamespacedPodAsync(Objects.Pod($"w{w}-{n}"), "shutdown");
                    acknowledged.Add(pod.Metadata.Name);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or k8s.Autorest.HttpOperationException or TaskCanceledException)
                {
                    return; // the server is stopping: this write was never acknowledged
                }
            }
        })).ToList();
        await Poll.UntilAsync("writes acknowledged before SIGTERM", () => acknowledged.Count >= 20, TimeSpan.FromSeconds(20));

        var (exit, took) = await server.TerminateAsync(TimeSpan.FromSeconds(20));
        await stopWriting.CancelAsync();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(10));
        var ends = await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"SIGTERM with {Watches} watches and {Writers} writers: exit {exit} after {took.TotalMilliseconds:0} ms; {acknowledged.Count} writes acknowledged");
        output.WriteLine(server.Output);

        Assert.True(exit == 0, $"exit {exit} after SIGTERM:\n{server.Output}");
        Assert.True(took < StopBound, $"the server took {took.TotalSeconds:0.00} s to stop (bound {StopBound.TotalSeconds} s)");
        var broken = ends.Where(e => e != "clean").ToList();
        Assert.True(broken.Count == 0, $"{broken.Count} of {Watches} watches did not end cleanly: {string.Join("; ", broken.Distinct())}");
        var wal = new FileInfo(Path.Combine(server.DataDir, "navarch.db-wal"));
        Assert.True(!wal.Exists || wal.Length == 0, $"the WAL was left behind ({(wal.Exists ? wal.Length : 0)} bytes)");

        await server.RestartAsync();
        var stored = (await client.CoreV1.ListNamespacedPodAsync("shutdown")).Items.Select(c => c.Metadata.Name).ToHashSet();
        var lost = acknowledged.Where(name => !stored.Contains(name)).ToList();
        Assert.True(lost.Count == 0, $"acknowledged writes lost across the graceful stop: {string.Join(", ", lost)}");
    }

    /// <summary>"clean" when the stream ends as a finished chunked response; else what broke it.</summary>
    private static async Task<string> HowItEndsAsync(HttpResponseMessage response)
    {
        using var _ = response;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[16 * 1024];
            while (await body.ReadAsync(buffer) > 0)
            {
            }
            return "clean";
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
