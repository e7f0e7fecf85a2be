using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Integration.Tests;

/// <summary>
/// A store on a full disk: writes answer 503, /readyz fails (naming etcd-readiness) while /livez stays ok, and both
/// come back once there is room again, without a client write. The disk is a small tmpfs mounted in the server's own
/// mount namespace: it exists only for that process and goes with it, also when the test fails.
/// </summary>
[Trait("Category", "Integration")]
public sealed class FullDiskTests(ITestOutputHelper output)
{
    private const string DiskSize = "8m";

    [Fact]
    public async Task Readyz_fails_while_the_store_cannot_write_and_recovers_once_there_is_room()
    {
        Assert.True(Environment.UserName == "root", "this test mounts a tmpfs (in a private mount namespace) and must run as root");
        var dir = Directory.CreateTempSubdirectory("navarch-full-").FullName;
        string[] wrapper = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            $"mount -t tmpfs -o size={DiskSize},mode=0700 navarch-full-disk '{dir}' && exec \"$@\"", "sh"];
        await using var server = ServerProcess.Create(dir, ServerFixture.ApiServerOnly, wrapper);
        var phase = System.Diagnostics.Stopwatch.StartNew();
        await server.RestartAsync();
        output.WriteLine($"started in {phase.ElapsedMilliseconds} ms");
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(10) };
        await TestNamespaces.CreateAsync(client, "full");

        // The server's view of its data directory, from outside its mount namespace.
        var filler = $"/proc/{server.ProcessId}/root{dir}/filler";
        var filled = Fill(filler);
        output.WriteLine($"filled the {DiskSize} tmpfs with {filled / 1024} KiB at {phase.ElapsedMilliseconds} ms");

        await ApiAssert.FailsAsync(503, () => client.CoreV1.CreateNamespacedPodAsync(BigPod("refused"), "full"));
        using (var readyz = await http.GetAsync("/readyz"))
        {
            var body = await readyz.Content.ReadAsStringAsync();
            Assert.True((int)readyz.StatusCode == 500, $"/readyz answered {(int)readyz.StatusCode} on a full disk:\n{body}");
            Assert.Contains("[+]etcd ok\n", body);
            Assert.Contains("[-]etcd-readiness failed: reason withheld\n", body);
            Assert.EndsWith("readyz check failed\n", body);
        }
        using (var reason = await http.GetAsync("/readyz/etcd-readiness"))
            Assert.Contains("full", await reason.Content.ReadAsStringAsync());
        Assert.Equal("ok", await http.GetStringAsync("/livez"));
        Assert.Contains("writes to", server.Output); // logged with its cause

        output.WriteLine($"writes refused, /readyz failed at {phase.ElapsedMilliseconds} ms");
        File.Delete(filler);
        await Poll.UntilAsync("/readyz back to 200 once there is room", async () => (await http.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(15));
        var created = await client.CoreV1.CreateNamespacedPodAsync(BigPod("accepted"), "full");
        Assert.Equal("accepted", created.Metadata.Name);
        output.WriteLine($"ready and writing again at {phase.ElapsedMilliseconds} ms");
    }

    /// <summary>A pod of about 200 KiB (annotations): more than the slack a full disk leaves at the end of the WAL.</summary>
    private static V1Pod BigPod(string name)
    {
        var pod = Objects.Pod(name);
        pod.Metadata.Annotations = Enumerable.Range(0, 4).ToDictionary(i => $"example.com/blob-{i}", _ => new string('x', 50 * 1024));
        return pod;
    }

    /// <summary>Writes <paramref name="path"/> until the file system is full; returns the bytes written.</summary>
    private static long Fill(string path)
    {
        long written = 0;
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (var chunk in new[] { 64 * 1024, 4096, 512 })
        {
            var bytes = new byte[chunk];
            try
            {
                for (var i = 0; i < 4096; i++)
                {
                    file.Write(bytes);
                    written += chunk;
                }
            }
            catch (IOException)
            {
                // no room for another chunk of this size: try smaller ones
            }
        }
        return written;
    }
}
