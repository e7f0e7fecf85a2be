namespace Navarch.Storage.Sqlite;

/// <summary>
/// The files of a SQLite data directory and how they are created: the directory 0700 and every file 0600,
/// as etcd and k3s do, since the store holds every Secret of the cluster. Modes are given at creation
/// (open/mkdir with the mode), never by a chmod afterwards, so no file is ever readable by others, not
/// even for a moment. SQLite gives its -wal and -shm files the mode of the database file.
/// </summary>
internal sealed class DataFiles(string dir)
{
    public const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Written once the first database is initialized: from then on a missing or empty database is a loss, not a new cluster.</summary>
    public const string MarkerName = "navarch.cluster";

    public string Directory { get; } = dir;
    public string Database => Path.Combine(Directory, SqliteSchema.FileName);
    public string Wal => Database + "-wal";
    public string Shm => Database + "-shm";
    public string Lock => Database + ".lock";
    public string Marker => Path.Combine(Directory, MarkerName);

    /// <summary>Creates the directory 0700 when it is missing (an existing one keeps its mode).</summary>
    public void CreateDirectory()
    {
        if (OperatingSystem.IsWindows())
            System.IO.Directory.CreateDirectory(Directory);
        else
            System.IO.Directory.CreateDirectory(Directory, OwnerOnlyDirectory);
    }

    /// <summary>Opens (creating 0600) a file of this directory.</summary>
    public static FileStream Open(string path, FileMode mode, FileAccess access, FileShare share = FileShare.Read)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows() && access != FileAccess.Read)
            options.UnixCreateMode = OwnerOnlyFile;
        return new FileStream(path, options);
    }

    /// <summary>Creates the empty database file 0600 before SQLite first opens it, so it and its -wal and -shm get that mode.</summary>
    public void CreateDatabaseIfMissing()
    {
        try
        {
            using var _ = Open(Database, FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException) when (File.Exists(Database))
        {
        }
    }

    /// <summary>Writes the marker durably if it is not there yet.</summary>
    public void WriteMarkerIfMissing(TimeProvider time)
    {
        if (File.Exists(Marker))
            return;
        using var stream = Open(Marker, FileMode.Create, FileAccess.Write);
        stream.Write(System.Text.Encoding.UTF8.GetBytes(
            $"navarch cluster store, first opened {time.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ}; without {SqliteSchema.FileName} this directory is damaged, not new\n"));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The files readable or writable by others than the owner (made by older versions or by hand), for a warning.</summary>
    public IEnumerable<string> TooOpen()
    {
        if (OperatingSystem.IsWindows())
            yield break;
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        foreach (var path in new[] { Directory, Database, Wal, Shm })
        {
            var mode = System.IO.Directory.Exists(path) || File.Exists(path) ? File.GetUnixFileMode(path) : 0;
            if ((mode & others) != 0)
                yield return $"{path} ({Convert.ToString((int)mode, 8)})";
        }
    }

    /// <summary>Length of <paramref name="path"/>, or -1 when it does not exist.</summary>
    public static long Length(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : -1;
    }
}
