using System.Diagnostics;

namespace Navarch.Agent.Containerd;

/// <summary>Chooses containerd's snapshotter: overlayfs if an overlay mount works under the root directory, else native.</summary>
internal static class SnapshotterProbe
{
    public const string Overlayfs = "overlayfs";
    public const string Native = "native";

    /// <summary>
    /// Tries an overlay mount in a scratch directory under <paramref name="root"/>, inside a throwaway mount
    /// namespace (<c>unshare --mount</c>) so nothing is mounted on the host even for a moment.
    /// </summary>
    public static async Task<string> ChooseAsync(string root, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(root, ".overlay-probe");
        try
        {
            foreach (var dir in new[] { "lower", "upper", "work", "merged" }) Directory.CreateDirectory(Path.Combine(scratch, dir));
            var options = $"lowerdir={scratch}/lower,upperdir={scratch}/upper,workdir={scratch}/work";
            using var mount = Process.Start(new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "mount", "-t", "overlay", "overlay", "-o", options, $"{scratch}/merged"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            await mount.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return mount.ExitCode == 0 ? Overlayfs : Native;
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); }
            catch (IOException) { /* a leftover scratch dir is harmless; the next probe reuses it */ }
        }
    }
}
