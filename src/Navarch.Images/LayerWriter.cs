namespace Navarch.Images;

/// <summary>Writes a <see cref="RootFs"/> as an uncompressed layer tar, entries in path order.</summary>
public static class LayerWriter
{
    /// <summary>
    /// Writes the layer to <paramref name="output"/>. Host files are read now; a host file that vanished
    /// since it was collected throws <see cref="ImageException"/>.
    /// </summary>
    public static void Write(RootFs rootFs, Stream output)
    {
        using var tar = new DeterministicTar(output);
        foreach (var entry in rootFs.Entries)
        {
            switch (entry.Kind)
            {
                case LayerEntryKind.Directory:
                    tar.WriteDirectory(entry.Path, entry.Mode, entry.Uid, entry.Gid);
                    break;
                case LayerEntryKind.Symlink:
                    tar.WriteSymlink(entry.Path, entry.LinkTarget!);
                    break;
                case LayerEntryKind.File when entry.Content is not null:
                    tar.WriteFile(entry.Path, entry.Mode, entry.Content, entry.Uid, entry.Gid);
                    break;
                case LayerEntryKind.File:
                    using (var source = OpenHostFile(entry.HostSource!))
                        tar.WriteFile(entry.Path, entry.Mode, source, entry.Uid, entry.Gid);
                    break;
            }
        }
    }

    private static FileStream OpenHostFile(string path)
    {
        try { return File.OpenRead(path); }
        catch (IOException e) { throw new ImageException($"cannot read {path}: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new ImageException($"cannot read {path}: {e.Message}", e); }
    }
}
