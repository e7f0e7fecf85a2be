using System.Globalization;

namespace Navarch.Agent.Node;

/// <summary>What the node reports about its machine: CPUs, memory, disk and the identities of the system.</summary>
public sealed record MachineInfo
{
    /// <summary>Logical CPUs.</summary>
    public required int Cpus { get; init; }

    /// <summary>Total memory in KiB (<c>/proc/meminfo</c> MemTotal).</summary>
    public required long MemoryKi { get; init; }

    /// <summary>Size of the file system of the agent's data directory in KiB.</summary>
    public required long EphemeralStorageKi { get; init; }

    /// <summary><c>/etc/machine-id</c>.</summary>
    public string MachineId { get; init; } = "";

    /// <summary><c>/proc/sys/kernel/random/boot_id</c>.</summary>
    public string BootId { get; init; } = "";

    /// <summary><c>uname -r</c> (<c>/proc/sys/kernel/osrelease</c>).</summary>
    public string KernelVersion { get; init; } = "";

    /// <summary>PRETTY_NAME of <c>/etc/os-release</c>.</summary>
    public string OsImage { get; init; } = "";

    /// <summary>
    /// Reads the machine's facts under <paramref name="root"/> (<c>/</c> normally; a directory of fake files in
    /// tests). Missing files give empty values rather than errors: a node still registers without them.
    /// </summary>
    public static MachineInfo Read(string root = "/", string? dataDir = null, int? cpus = null)
    {
        string ReadText(string path)
        {
            try { return File.ReadAllText(Path.Combine(root, path.TrimStart('/'))).Trim(); }
            catch (IOException) { return ""; }
            catch (UnauthorizedAccessException) { return ""; }
        }
        long storage = 0;
        try
        {
            var dir = dataDir ?? root;
            while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent) dir = parent;
            storage = new DriveInfo(dir).TotalSize / 1024;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { }
        return new MachineInfo
        {
            Cpus = cpus ?? Environment.ProcessorCount,
            MemoryKi = ParseMemTotalKi(ReadText("/proc/meminfo")),
            EphemeralStorageKi = storage,
            MachineId = ReadText("/etc/machine-id"),
            BootId = ReadText("/proc/sys/kernel/random/boot_id"),
            KernelVersion = ReadText("/proc/sys/kernel/osrelease"),
            OsImage = ParsePrettyName(ReadText("/etc/os-release")),
        };
    }

    /// <summary>MemTotal of <c>/proc/meminfo</c> text in KiB; 0 if absent.</summary>
    public static long ParseMemTotalKi(string meminfo)
    {
        foreach (var line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
            var fields = line["MemTotal:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb)) return kb;
        }
        return 0;
    }

    /// <summary>PRETTY_NAME of <c>/etc/os-release</c> text, unquoted; "Linux" if absent.</summary>
    public static string ParsePrettyName(string osRelease)
    {
        foreach (var line in osRelease.Split('\n'))
            if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                return line["PRETTY_NAME=".Length..].Trim().Trim('"', '\'');
        return "Linux";
    }
}
