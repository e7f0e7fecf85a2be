namespace Navarch.Images;

/// <summary>
/// Copies host paths into a <see cref="RootFs"/> at the same paths, keeping the host's layout: a symlinked
/// path component (Debian's merged /usr: <c>/lib → usr/lib</c>) becomes the same symlink in the image and
/// its target is copied too, so every path the host resolves also resolves in the image. Files keep their
/// permission bits (setuid included) and, when <paramref name="keepOwners"/>, their numeric owner and group
/// (else root). It remembers the ELF files it copied so <see cref="AddSharedLibrariesAsync"/> can add what they link.
/// </summary>
public sealed class HostFileCollector(RootFs rootFs, bool keepOwners = true)
{
    private const int MaxSymlinkHops = 40; // Linux's own limit for path resolution
    private static readonly byte[] ElfMagic = [0x7f, (byte)'E', (byte)'L', (byte)'F'];

    private readonly HashSet<string> _elfFiles = new(StringComparer.Ordinal);

    /// <summary>Host paths of the ELF files copied so far.</summary>
    public IReadOnlyCollection<string> ElfFiles => _elfFiles;

    /// <summary>
    /// Copies one host path to the same image path (a directory without its contents). Returns false when
    /// the path does not exist or is a device, socket or fifo; a symlink whose target is missing is kept dangling.
    /// </summary>
    public bool AddPath(string hostPath) => AddPath(Collapse(hostPath), 0);

    /// <summary>
    /// Copies the host directory <paramref name="hostDirectory"/> and everything under it to
    /// <paramref name="imageDirectory"/>, without following symlinks; devices, sockets and fifos are skipped.
    /// </summary>
    public void AddTree(string hostDirectory, string imageDirectory = "/")
    {
        var root = Path.GetFullPath(hostDirectory);
        if (UnixStat.Of(root).Type != UnixStat.FileType.Directory) throw new ImageException($"{hostDirectory}: not a directory");
        AddTreeUnder(root, RootFs.Normalize(imageDirectory));
    }

    private void AddTreeUnder(string hostDirectory, string imageDirectory)
    {
        foreach (var child in Directory.EnumerateFileSystemEntries(hostDirectory).Order(StringComparer.Ordinal))
        {
            var imagePath = imageDirectory.Length == 0 ? Path.GetFileName(child) : $"{imageDirectory}/{Path.GetFileName(child)}";
            var stat = UnixStat.Of(child);
            var (uid, gid) = keepOwners ? (stat.Uid, stat.Gid) : (0, 0);
            switch (stat.Type)
            {
                case UnixStat.FileType.Directory:
                    rootFs.AddDirectory(imagePath, stat.Mode, uid, gid);
                    AddTreeUnder(child, imagePath);
                    break;
                case UnixStat.FileType.Symlink:
                    rootFs.AddSymlink(imagePath, new FileInfo(child).LinkTarget!);
                    break;
                case UnixStat.FileType.Regular:
                    AddFile(imagePath, child, stat.Mode, uid, gid);
                    break;
            }
        }
    }

    /// <summary>
    /// Adds every shared library the copied ELF files link (as <c>ldd</c> resolves them, which is transitive
    /// and includes the dynamic loader). A library ldd cannot find throws <see cref="ImageException"/>.
    /// </summary>
    public async Task AddSharedLibrariesAsync(CancellationToken ct)
    {
        foreach (var elf in _elfFiles.Order(StringComparer.Ordinal).ToList())
            foreach (var library in await SharedLibraries.OfAsync(elf, ct))
                if (!AddPath(library)) throw new ImageException($"{elf} links {library}, which does not exist");
    }

    private bool AddPath(string path, int hops)
    {
        if (hops > MaxSymlinkHops) throw new ImageException($"{path}: too many levels of symbolic links");
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "";
        for (var i = 0; i < parts.Length; i++)
        {
            var parent = current;
            current = $"{current}/{parts[i]}";
            var stat = UnixStat.Of(current);
            var (uid, gid) = keepOwners ? (stat.Uid, stat.Gid) : (0, 0);
            switch (stat.Type)
            {
                case UnixStat.FileType.Symlink:
                    var target = new FileInfo(current).LinkTarget!;
                    rootFs.AddSymlink(current, target);
                    var resolved = target.StartsWith('/') ? target : $"{parent}/{target}";
                    var rest = string.Join('/', parts[(i + 1)..]);
                    var next = Collapse(rest.Length == 0 ? resolved : $"{resolved}/{rest}");
                    // A dangling link is kept: the runtime may provide its target (/dev/stdout).
                    return AddPath(next, hops + 1) || rest.Length == 0;
                case UnixStat.FileType.Directory:
                    rootFs.AddDirectory(current, stat.Mode, uid, gid);
                    break;
                case UnixStat.FileType.Regular when i == parts.Length - 1:
                    AddFile(current, current, stat.Mode, uid, gid);
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private void AddFile(string imagePath, string hostPath, UnixFileMode mode, int uid, int gid)
    {
        rootFs.AddHostFile(imagePath, hostPath, mode, uid, gid);
        if (IsElf(hostPath)) _elfFiles.Add(hostPath);
    }

    private static bool IsElf(string path)
    {
        Span<byte> head = stackalloc byte[4];
        try
        {
            using var stream = File.OpenRead(path);
            return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(ElfMagic);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageException($"cannot read {path}: {e.Message}", e);
        }
    }

    /// <summary>Lexically resolves "." and ".." of an absolute path: "/usr/lib/../lib64" → "/usr/lib64".</summary>
    internal static string Collapse(string path)
    {
        var stack = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..") { if (stack.Count > 0) stack.RemoveAt(stack.Count - 1); continue; }
            stack.Add(part);
        }
        return "/" + string.Join('/', stack);
    }
}
