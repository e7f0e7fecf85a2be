using System.Text.RegularExpressions;
using Navarch.Cri;
using Navarch.Images;

namespace Navarch.Lab;

/// <summary>
/// The lab's images (pause for sandboxes, nginx for the seed's pods, nginx:v2 to roll out to, dnsutils to look around from a pod): built once from Debian's packages into a
/// cache, and imported into each node's containerd once that answers CRI, before any pod can need them.
/// </summary>
public static partial class ImagePreloader
{
    /// <summary>Builds (or takes from the cache) the pause, nginx, nginx:v2 and dnsutils tarballs.</summary>
    public static async Task<IReadOnlyList<string>> BuildAsync(string cacheDir, CancellationToken ct)
    {
        var builder = new ImageBuilder(cacheDir);
        return [await builder.BuildPauseAsync(ct), await builder.BuildNginxAsync(ct), await builder.BuildNginxV2Async(ct),
            await builder.BuildAsync(await DnsUtilsImage.RecipeAsync(ct), ct)];
    }

    /// <summary>The containerd paths of the agent whose data dir is <paramref name="agentDataDir"/> (as the agent derives them).</summary>
    public static ContainerdPaths ContainerdOf(string agentDataDir) =>
        ContainerdPaths.For(agentDataDir);

    /// <summary>Waits until the agent's containerd answers CRI with RuntimeReady; throws <see cref="TimeoutException"/> naming the node.</summary>
    public static async Task WaitForRuntimeAsync(string node, ContainerdPaths paths, Func<bool> agentAlive, Func<string> agentLog, TimeSpan timeout, CancellationToken ct)
    {
        using var runtime = CriRuntime.Connect(RuntimeEndpoint.FromSocketPath(paths.Socket), TimeSpan.FromSeconds(2));
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (!agentAlive()) throw new LabException($"the agent of {node} exited; its log ends:\n{agentLog()}");
            if (File.Exists(paths.Socket))
            {
                try
                {
                    if ((await runtime.StatusAsync(ct)).RuntimeReady) return;
                }
                catch (RuntimeException)
                {
                    // Not up yet.
                }
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"containerd of {node} did not answer within {timeout.TotalSeconds:0} s; the agent's log ends:\n{agentLog()}");
            await Task.Delay(50, ct);
        }
    }

    /// <summary>Imports <paramref name="tarballs"/> into the containerd at <paramref name="paths"/>, unpacked for the snapshotter CRI uses.</summary>
    public static async Task ImportAsync(ContainerdPaths paths, IReadOnlyList<string> tarballs, CancellationToken ct)
    {
        var snapshotter = File.Exists(paths.ConfigFile) && SnapshotterLine().Match(await File.ReadAllTextAsync(paths.ConfigFile, ct)) is { Success: true } m ? m.Groups[1].Value : null;
        foreach (var tarball in tarballs) await ImageImporter.ImportAsync(paths.Socket, tarball, snapshotter: snapshotter, ct: ct);
    }

    [GeneratedRegex(@"snapshotter\s*=\s*""([^""]+)""")]
    private static partial Regex SnapshotterLine();
}
