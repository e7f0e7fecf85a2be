using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Navarch.Testing;

/// <summary>
/// Ways a store's SQLite file gets damaged (an emptied file, a copy cut short, a bad sector), and a fingerprint of a
/// data directory to prove that a refused start changed nothing. Works on closed files only.
/// Also compiled into Navarch.Storage.Tests (linked), which does not reference this project.
/// </summary>
public static class StoreDamage
{
    public const string Database = "navarch.db";

    public static void Empty(string dir) => File.WriteAllBytes(Path.Combine(dir, Database), []);

    /// <summary>Cuts the file at two thirds, mid-page, as an interrupted copy would.</summary>
    public static void Truncate(string dir)
    {
        using var file = new FileStream(Path.Combine(dir, Database), FileMode.Open, FileAccess.ReadWrite);
        file.SetLength(file.Length * 2 / 3 - 100);
    }

    /// <summary>Overwrites the middle page with garbage. The file must have no free pages, so the page is surely in a b-tree.</summary>
    public static void DamagePage(string dir)
    {
        using var file = new FileStream(Path.Combine(dir, Database), FileMode.Open, FileAccess.ReadWrite);
        var header = new byte[100];
        file.ReadExactly(header);
        var pageSize = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16));
        var freePages = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(36));
        var pages = file.Length / pageSize;
        if (freePages != 0 || pages < 3)
            throw new InvalidOperationException($"{Database} has {freePages} free pages of {pages}: a damaged page might not be in use");
        file.Position = pages / 2 * pageSize;
        file.Write(Enumerable.Repeat((byte)0xA5, pageSize).ToArray());
        file.Flush(flushToDisk: true);
    }

    /// <summary>Every file of <paramref name="dir"/> with its SHA-256 and mode, sorted: equal fingerprints mean nothing changed.</summary>
    public static string Fingerprint(string dir) => string.Join("\n", Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal).Select(path =>
    {
        using var file = File.OpenRead(path);
        var mode = OperatingSystem.IsWindows() ? "" : Convert.ToString((int)File.GetUnixFileMode(path), 8);
        return $"{Path.GetFileName(path)} {mode} {file.Length} {Convert.ToHexString(SHA256.HashData(file))}";
    }));
}
