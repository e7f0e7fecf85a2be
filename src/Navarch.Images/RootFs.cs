namespace Navarch.Images;

/// <summary>
/// The file tree of a single-layer image, kept sorted by path (ordinal) so a parent always precedes its
/// children and two builds of the same tree write the same bytes. Adding a path creates missing parent
/// directories (0755, root). Adding a path twice keeps the last entry, except that a directory never
/// replaces an existing entry.
/// </summary>
public sealed class RootFs
{
    public const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101; // 0755
    public const UnixFileMode FileMode = (UnixFileMode)0b110_100_100;      // 0644
    public const UnixFileMode ExecutableMode = DirectoryMode;               // 0755
    public const UnixFileMode SymlinkMode = (UnixFileMode)0b111_111_111;   // 0777

    private readonly SortedDictionary<string, LayerEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>All entries, parents before children.</summary>
    public IEnumerable<LayerEntry> Entries => _entries.Values;

    public int Count => _entries.Count;

    /// <summary>The entry at <paramref name="path"/> (absolute or relative), or null.</summary>
    public LayerEntry? Find(string path) => _entries.GetValueOrDefault(Normalize(path));

    public bool Contains(string path) => _entries.ContainsKey(Normalize(path));

    /// <summary>Adds a directory unless the path already exists.</summary>
    public void AddDirectory(string path, UnixFileMode mode = DirectoryMode, int uid = 0, int gid = 0)
    {
        var p = Normalize(path);
        if (p.Length == 0 || _entries.ContainsKey(p)) return;
        AddParents(p);
        _entries[p] = new LayerEntry(p, LayerEntryKind.Directory, mode, uid, gid);
    }

    /// <summary>Adds a file whose bytes are read from <paramref name="hostSource"/> when the layer is written.</summary>
    public void AddHostFile(string path, string hostSource, UnixFileMode mode, int uid = 0, int gid = 0) =>
        Add(new LayerEntry(Normalize(path), LayerEntryKind.File, mode, uid, gid, HostSource: hostSource));

    /// <summary>Adds a file with the given bytes.</summary>
    public void AddFile(string path, byte[] content, UnixFileMode mode = FileMode, int uid = 0, int gid = 0) =>
        Add(new LayerEntry(Normalize(path), LayerEntryKind.File, mode, uid, gid, Content: content));

    /// <summary>Adds a file with the given UTF-8 text.</summary>
    public void AddFile(string path, string text, UnixFileMode mode = FileMode) =>
        AddFile(path, System.Text.Encoding.UTF8.GetBytes(text), mode);

    /// <summary>Adds a symbolic link; <paramref name="target"/> is stored as given (absolute or relative).</summary>
    public void AddSymlink(string path, string target) =>
        Add(new LayerEntry(Normalize(path), LayerEntryKind.Symlink, SymlinkMode, LinkTarget: target));

    private void Add(LayerEntry entry)
    {
        if (entry.Path.Length == 0) throw new ArgumentException("cannot replace the image root");
        AddParents(entry.Path);
        _entries[entry.Path] = entry;
    }

    private void AddParents(string path)
    {
        for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            var parent = path[..slash];
            if (!_entries.TryGetValue(parent, out var existing))
                _entries[parent] = new LayerEntry(parent, LayerEntryKind.Directory, DirectoryMode);
            else if (existing.Kind != LayerEntryKind.Directory)
                throw new ArgumentException($"{path}: parent /{parent} is a {existing.Kind.ToString().ToLowerInvariant()}, not a directory");
        }
    }

    /// <summary>"/etc//nginx/" → "etc/nginx"; rejects "..".</summary>
    public static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Contains("..")) throw new ArgumentException($"{path}: '..' is not allowed in image paths");
        return string.Join('/', parts);
    }
}
