using System.Diagnostics;
using System.Globalization;
using k8s.Models;
using Navarch.Cri;

namespace Navarch.Agent.Pods;

/// <summary>A volume of a pod that cannot be set up (a type this node does not serve, a hostPath of the wrong kind).</summary>
public sealed class VolumeException(string message, string volume = "") : Exception(message)
{
    /// <summary>The volume's name, when known.</summary>
    public string Volume { get; } = volume;
}

/// <summary>
/// The node side of a pod's volumes, as the kubelet's volume manager does it for the types that need no other API
/// object: <c>emptyDir</c> (a directory per pod under <c>ROOT/UID/kubernetes.io~empty-dir/NAME</c>, a tmpfs for
/// medium Memory, removed with the pod) and <c>hostPath</c> (with its type checks, creating for the *OrCreate types).
/// Volumes made of API objects are written by <see cref="ProjectedVolumes"/> before containers start; here they are
/// only mounted, read-only as upstream's. Each container's <c>volumeMounts</c> become runtime bind mounts, with
/// <c>subPath</c> and <c>readOnly</c>.
/// An empty root (hollow nodes) computes the same mounts without touching the disk.
/// </summary>
public sealed class PodVolumes(string root)
{
    private const string EmptyDirKind = "kubernetes.io~empty-dir";

    /// <summary>The directory of a pod's volume made of API objects (upstream's plugin names: <c>ROOT/UID/kubernetes.io~configmap/NAME</c>).</summary>
    public static string PathOf(string root, string podUid, V1Volume volume)
    {
        var kind = volume switch
        {
            { ConfigMap: not null } => "kubernetes.io~configmap",
            { Secret: not null } => "kubernetes.io~secret",
            { DownwardAPI: not null } => "kubernetes.io~downward-api",
            { Projected: not null } => "kubernetes.io~projected",
            _ => throw new VolumeException($"volume \"{volume.Name}\" is not made of API objects", volume.Name),
        };
        return Path.Combine(root.Length == 0 ? "/nonexistent" : root, podUid, kind, volume.Name);
    }

    /// <summary>
    /// Sets up the pod's volumes that <paramref name="container"/> mounts (idempotent) and returns its mounts.
    /// Throws <see cref="VolumeException"/> for a volume that cannot be set up or a mount of an undeclared volume.
    /// </summary>
    public IReadOnlyList<MountSpec> MountsFor(V1Pod pod, V1Container container)
    {
        var mounts = new List<MountSpec>();
        foreach (var mount in container.VolumeMounts ?? [])
        {
            var volume = (pod.Spec.Volumes ?? []).FirstOrDefault(v => v.Name == mount.Name)
                ?? throw new VolumeException($"volume \"{mount.Name}\" mounted by container \"{container.Name}\" is not declared by the pod");
            string source;
            try
            {
                source = Prepare(pod.Metadata.Uid, volume);
                if (!string.IsNullOrEmpty(mount.SubPath)) source = SubPath(source, mount.SubPath);
            }
            catch (VolumeException e) when (e.Volume.Length == 0)
            {
                throw new VolumeException(e.Message, volume.Name);
            }
            mounts.Add(new MountSpec(mount.MountPath, source, mount.ReadOnlyProperty == true || VolumeContents.IsProjection(volume)));
        }
        return mounts;
    }

    /// <summary>Removes what the pod's volumes left on this node (its emptyDirs); hostPaths are the node's and stay.</summary>
    public void Remove(string podUid)
    {
        if (root.Length == 0 || string.IsNullOrEmpty(podUid)) return;
        var podDir = Path.Combine(root, podUid);
        if (!Directory.Exists(podDir)) return;
        var emptyDirs = Path.Combine(podDir, EmptyDirKind);
        if (Directory.Exists(emptyDirs))
            foreach (var dir in Directory.GetDirectories(emptyDirs))
                if (IsMountPoint(dir)) Run("umount", dir);
        Directory.Delete(podDir, recursive: true);
    }

    /// <summary>Whether volumes live on this node's disk (false for hollow nodes: nothing to set up or sweep).</summary>
    public bool OnDisk => root.Length > 0;

    /// <summary>
    /// Removes the volumes of every pod not in <paramref name="keep"/> (those deleted while the agent was away, after
    /// their sandboxes went); returns their UIDs.
    /// </summary>
    public IReadOnlyList<string> RemoveAllBut(IReadOnlySet<string> keep)
    {
        if (!OnDisk || !Directory.Exists(root)) return [];
        var gone = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Where(uid => !keep.Contains(uid)).ToList();
        foreach (var uid in gone) Remove(uid);
        return gone;
    }

    private string Prepare(string podUid, V1Volume volume)
    {
        if (volume.EmptyDir is { } emptyDir) return PrepareEmptyDir(podUid, volume.Name, emptyDir);
        if (volume.HostPath is { } hostPath) return PrepareHostPath(hostPath);
        if (VolumeContents.IsProjection(volume)) return PathOf(root, podUid, volume);
        throw new VolumeException($"volume \"{volume.Name}\": only emptyDir, hostPath, configMap, secret, downwardAPI and projected volumes are supported on this node");
    }

    private string PrepareEmptyDir(string podUid, string name, V1EmptyDirVolumeSource source)
    {
        var path = Path.Combine(root.Length == 0 ? "/nonexistent" : root, podUid, EmptyDirKind, name);
        if (root.Length == 0 || Directory.Exists(path)) return path;
        Directory.CreateDirectory(path);
        // World-writable, as upstream's: containers of any user share it.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
        if (source.Medium == "Memory")
        {
            var size = source.SizeLimit is { } limit ? $",size={limit.ToInt64().ToString(CultureInfo.InvariantCulture)}" : "";
            Run("mount", "-t", "tmpfs", "-o", "mode=0777" + size, "tmpfs", path);
        }
        return path;
    }

    private string PrepareHostPath(V1HostPathVolumeSource source)
    {
        var path = source.Path;
        if (root.Length == 0) return path;
        var exists = Path.Exists(path);
        switch (source.Type ?? "")
        {
            case "":
                break;
            case "DirectoryOrCreate":
                if (!exists) Directory.CreateDirectory(path);
                else if (!Directory.Exists(path)) throw TypeCheck(path, "a directory");
                break;
            case "Directory":
                if (!Directory.Exists(path)) throw TypeCheck(path, "a directory");
                break;
            case "FileOrCreate":
                if (!exists) File.WriteAllBytes(path, []);
                else if (!KindOf(path).StartsWith("regular", StringComparison.Ordinal)) throw TypeCheck(path, "a file");
                break;
            case "File":
                if (!exists || !KindOf(path).StartsWith("regular", StringComparison.Ordinal)) throw TypeCheck(path, "a file");
                break;
            case "Socket":
                if (!exists || KindOf(path) != "socket") throw TypeCheck(path, "a socket file");
                break;
            case "CharDevice":
                if (!exists || KindOf(path) != "character special file") throw TypeCheck(path, "a character device");
                break;
            case "BlockDevice":
                if (!exists || KindOf(path) != "block special file") throw TypeCheck(path, "a block device");
                break;
            default:
                throw new VolumeException($"hostPath type \"{source.Type}\" of {path} is not one of DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice");
        }
        return path;
    }

    /// <summary>A subPath inside the volume, created as a directory when missing (upstream does for every volume type).</summary>
    private string SubPath(string volumePath, string subPath)
    {
        if (Path.IsPathRooted(subPath) || subPath.Split('/').Contains(".."))
            throw new VolumeException($"subPath \"{subPath}\" must be a relative path without \"..\"");
        var path = Path.Combine(volumePath, subPath);
        if (root.Length > 0 && !Path.Exists(path)) Directory.CreateDirectory(path);
        return path;
    }

    private static VolumeException TypeCheck(string path, string kind) => new($"hostPath type check failed: {path} is not {kind}");

    /// <summary>The file's type as stat(1) names it ("regular file", "socket", "character special file", …): .NET does not tell.</summary>
    private static string KindOf(string path) => Run("stat", "-L", "-c", "%F", path).Trim();

    private static bool IsMountPoint(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            return File.ReadLines("/proc/self/mounts").Any(l => l.Split(' ') is [_, var target, ..] && target == full);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new VolumeException($"cannot run {program}");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new VolumeException($"{program} {string.Join(' ', args)}: {error.Result.Trim()}");
        return output;
    }
}
