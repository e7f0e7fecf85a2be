using System.Formats.Tar;

namespace Navarch.Images;

/// <summary>
/// Writes tar entries whose bytes depend only on path, kind, mode, owner and content: fixed timestamps
/// (mtime, atime and ctime all <see cref="Epoch"/>), no user or group names. GNU format, so long paths and
/// link targets need no special care (Go's archive/tar, which containerd uses, reads it).
/// </summary>
internal sealed class DeterministicTar(Stream output) : IDisposable
{
    /// <summary>The timestamp every entry and the image config carry (SOURCE_DATE_EPOCH = 0).</summary>
    public static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    private readonly TarWriter _writer = new(output, TarEntryFormat.Gnu, leaveOpen: true);

    public void WriteDirectory(string path, UnixFileMode mode, int uid = 0, int gid = 0) =>
        _writer.WriteEntry(Entry(TarEntryType.Directory, path + "/", mode, uid, gid));

    public void WriteSymlink(string path, string target)
    {
        var entry = Entry(TarEntryType.SymbolicLink, path, RootFs.SymlinkMode, 0, 0);
        entry.LinkName = target;
        _writer.WriteEntry(entry);
    }

    /// <summary>Writes a regular file; <paramref name="content"/> is read to its end, from its current position.</summary>
    public void WriteFile(string path, UnixFileMode mode, Stream content, int uid = 0, int gid = 0)
    {
        var entry = Entry(TarEntryType.RegularFile, path, mode, uid, gid);
        entry.DataStream = content;
        _writer.WriteEntry(entry);
    }

    public void WriteFile(string path, UnixFileMode mode, byte[] content, int uid = 0, int gid = 0)
    {
        using var stream = new MemoryStream(content, writable: false);
        WriteFile(path, mode, stream, uid, gid);
    }

    private static GnuTarEntry Entry(TarEntryType type, string path, UnixFileMode mode, int uid, int gid) => new(type, path)
    {
        Mode = mode,
        Uid = uid,
        Gid = gid,
        UserName = "",
        GroupName = "",
        ModificationTime = Epoch,
        AccessTime = Epoch,
        ChangeTime = Epoch,
    };

    public void Dispose() => _writer.Dispose();
}
