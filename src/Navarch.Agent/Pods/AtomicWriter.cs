using System.Globalization;
using System.Runtime.InteropServices;

namespace Navarch.Agent.Pods;

/// <summary>One file of a volume's content: its bytes and its mode.</summary>
public sealed record FileProjection(byte[] Data, UnixFileMode Mode);

/// <summary>
/// Writes a volume's files so that a container never sees half an update, as upstream's kubelet AtomicWriter:
/// the files live in a timestamped directory (<c>..2026_12_08_00_30_12.123456789</c>); <c>..data</c> is a symlink to
/// it, replaced at once by renaming a new symlink over it; each visible name is a symlink through it
/// (<c>key -> ..data/key</c>). A payload equal to what is there (bytes and modes) writes nothing. Names starting with
/// <c>..</c> are reserved. Not safe for concurrent writes to one directory: the caller serializes them.
/// </summary>
public sealed class AtomicWriter(string targetDir, TimeProvider time)
{
    /// <summary>The symlink to the current data directory.</summary>
    public const string DataLink = "..data";
    private const string NewDataLink = "..data_tmp";
    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;
    // Linux's limits, which upstream checks too.
    private const int MaxPathLength = 4096;
    private const int MaxFileNameLength = 255;

    /// <summary>
    /// Makes the directory hold exactly <paramref name="payload"/> (relative paths → files); returns whether anything
    /// was written. Throws <see cref="VolumeException"/> for an invalid path (absolute, with <c>..</c>, reserved).
    /// </summary>
    public bool Write(IReadOnlyDictionary<string, FileProjection> payload)
    {
        var files = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        foreach (var (path, file) in payload) files[Clean(path)] = file;

        Directory.CreateDirectory(targetDir);
        var dataLink = Path.Combine(targetDir, DataLink);
        var oldName = new FileInfo(dataLink).LinkTarget;
        var oldDir = oldName is null ? null : Path.Combine(targetDir, oldName);
        var oldFiles = oldDir is not null && Directory.Exists(oldDir) ? FilesUnder(oldDir) : null;
        if (oldFiles is not null && SameContent(oldDir!, oldFiles, files)) return false;

        var newName = NewTimestampDirectory();
        var newDir = Path.Combine(targetDir, newName);
        foreach (var (path, file) in files)
        {
            var full = Path.Combine(newDir, path);
            CreateDirectories(newDir, Path.GetDirectoryName(path) ?? "");
            File.WriteAllBytes(full, file.Data);
            SetMode(full, file.Mode);
        }

        // rename(2) of a symlink over the old one: readers see the old data or the new, never neither.
        var newLink = Path.Combine(targetDir, NewDataLink);
        if (new FileInfo(newLink).LinkTarget is not null || File.Exists(newLink)) File.Delete(newLink);
        File.CreateSymbolicLink(newLink, newName);
        if (rename(newLink, dataLink) != 0) throw new IOException($"rename {newLink} to {dataLink}: errno {Marshal.GetLastPInvokeError()}");

        var visible = files.Keys.Select(TopLevel).ToHashSet(StringComparer.Ordinal);
        foreach (var name in visible)
        {
            var link = Path.Combine(targetDir, name);
            if (new FileInfo(link).LinkTarget is null) File.CreateSymbolicLink(link, Path.Combine(DataLink, name));
        }
        foreach (var name in (oldFiles ?? []).Select(TopLevel).Distinct().Where(n => !visible.Contains(n)))
            File.Delete(Path.Combine(targetDir, name));
        // The previous directory, and any left by an interrupted write.
        foreach (var dir in Directory.GetDirectories(targetDir, "..*"))
            if (Path.GetFileName(dir) != newName && new FileInfo(dir).LinkTarget is null) Directory.Delete(dir, recursive: true);
        return true;
    }

    /// <summary>Why <paramref name="path"/> cannot name a file of a volume (upstream's validation words), or null when it can.</summary>
    public static string? Invalid(string path)
    {
        if (path.Length == 0) return "must not be empty";
        if (path.StartsWith('/')) return "must be a relative path";
        if (path.Split('/').Contains("..")) return "must not contain '..'";
        if (path.StartsWith("..", StringComparison.Ordinal)) return "must not start with '..'";
        if (path.Length > MaxPathLength) return $"must be no more than {MaxPathLength} characters";
        if (path.Split('/').Any(part => part.Length > MaxFileNameLength)) return $"must have no element longer than {MaxFileNameLength} characters";
        return null;
    }

    private static string Clean(string path)
    {
        if (Invalid(path) is { } why) throw new VolumeException($"invalid path \"{path}\": {why}");
        var cleaned = string.Join('/', path.Split('/').Where(p => p.Length > 0 && p != "."));
        if (cleaned.Length == 0 || cleaned.StartsWith("..", StringComparison.Ordinal)) throw new VolumeException($"invalid path \"{path}\": must name a file");
        return cleaned;
    }

    private static string TopLevel(string path) => path.Split('/')[0];

    private string NewTimestampDirectory()
    {
        var stamp = time.GetUtcNow().UtcDateTime.ToString("'..'yyyy_MM_dd_HH_mm_ss'.'", CultureInfo.InvariantCulture);
        while (true)
        {
            var name = stamp + Random.Shared.Next(0, int.MaxValue).ToString(CultureInfo.InvariantCulture);
            var dir = Path.Combine(targetDir, name);
            if (Path.Exists(dir)) continue;
            Directory.CreateDirectory(dir);
            SetMode(dir, DirectoryMode);
            return name;
        }
    }

    private static void CreateDirectories(string root, string relative)
    {
        var current = root;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (Directory.Exists(current)) continue;
            Directory.CreateDirectory(current);
            SetMode(current, DirectoryMode);
        }
    }

    // File.Move refuses a symlink to a directory as its source; rename(2) swaps the link itself, atomically.
    // DllImport rather than LibraryImport: the source-generated form needs AllowUnsafeBlocks. LPStr is UTF-8 on Linux.
    [DllImport("libc", SetLastError = true)]
    private static extern int rename([MarshalAs(UnmanagedType.LPStr)] string oldPath, [MarshalAs(UnmanagedType.LPStr)] string newPath);

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    private static UnixFileMode ModeOf(string path) => OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(path);

    private static List<string> FilesUnder(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).ToList();

    private static bool SameContent(string dir, List<string> existing, Dictionary<string, FileProjection> files)
    {
        if (existing.Count != files.Count) return false;
        foreach (var path in existing)
        {
            if (!files.TryGetValue(path, out var file)) return false;
            var full = Path.Combine(dir, path);
            if (ModeOf(full) != file.Mode) return false;
            if (!File.ReadAllBytes(full).AsSpan().SequenceEqual(file.Data)) return false;
        }
        return true;
    }
}
