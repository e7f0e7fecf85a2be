namespace Navarch.Images;

/// <summary>What a layer entry is.</summary>
public enum LayerEntryKind { Directory, File, Symlink }

/// <summary>
/// One path in an image layer. <paramref name="Path"/> is relative to the image root, without a leading
/// or trailing '/'. A file's bytes come from <paramref name="HostSource"/> or <paramref name="Content"/>.
/// </summary>
public sealed record LayerEntry(
    string Path,
    LayerEntryKind Kind,
    UnixFileMode Mode,
    int Uid = 0,
    int Gid = 0,
    string? LinkTarget = null,
    string? HostSource = null,
    byte[]? Content = null);
