using System.Runtime.InteropServices;

namespace Navarch.Images;

/// <summary>
/// <c>lstat(2)</c>: the file type, permission bits and owner, which .NET's file APIs do not expose. Linux x86-64 glibc
/// (≥ 2.33 exports <c>lstat</c>) only, like the rest of Navarch.
/// </summary>
internal static class UnixStat
{
    /// <summary>The kind of a file, from the S_IFMT bits of st_mode.</summary>
    public enum FileType { Missing, Regular, Directory, Symlink, Other }

    /// <summary>What <c>lstat</c> says about a path; <see cref="FileType.Missing"/> when it does not exist.</summary>
    public readonly record struct Info(FileType Type, UnixFileMode Mode, int Uid, int Gid);

    private const uint PermissionMask = 0xFFF, TypeMask = 0xF000, RegularBits = 0x8000, DirectoryBits = 0x4000, SymlinkBits = 0xA000;

    // struct stat on x86-64: st_dev, st_ino, st_nlink (8 bytes each), then st_mode, st_uid, st_gid (4 each); 144 bytes in all.
    private const int StatSize = 144, ModeOffset = 24, UidOffset = 28, GidOffset = 32;

    public static Info Of(string path)
    {
        var bytes = new byte[StatSize];
        if (lstat(path, bytes) != 0) return new Info(FileType.Missing, UnixFileMode.None, 0, 0);
        ReadOnlySpan<byte> buffer = bytes;
        var mode = BitConverter.ToUInt32(buffer[ModeOffset..]);
        var type = (mode & TypeMask) switch
        {
            RegularBits => FileType.Regular,
            DirectoryBits => FileType.Directory,
            SymlinkBits => FileType.Symlink,
            _ => FileType.Other,
        };
        return new Info(type, (UnixFileMode)(mode & PermissionMask), BitConverter.ToInt32(buffer[UidOffset..]), BitConverter.ToInt32(buffer[GidOffset..]));
    }

    // DllImport rather than LibraryImport: the source-generated form needs AllowUnsafeBlocks.
    [DllImport("libc", SetLastError = true)]
    private static extern int lstat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
