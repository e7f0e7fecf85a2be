using System.Runtime.InteropServices;

namespace Navarch.Agent.Containerd;

/// <summary>Reads processes from /proc and signals them by PID: the only code here that does either.</summary>
internal static class ProcessTable
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if the process is gone.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>
    /// Whether <paramref name="pid"/> is a live process. A zombie counts as dead: PID 1 here reaps slowly, and
    /// a zombie still answers <c>kill -0</c>.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        var stat = ReadStat(pid);
        return stat is not null && stat.Value.State != 'Z';
    }

    /// <summary>The parent PID of <paramref name="pid"/>, or null if it is gone.</summary>
    public static int? ParentOf(int pid) => ReadStat(pid)?.Parent;

    /// <summary>The argument vector of <paramref name="pid"/> (empty for kernel threads, zombies and vanished processes).</summary>
    public static IReadOnlyList<string> CommandLine(int pid)
    {
        try
        {
            var raw = File.ReadAllText($"/proc/{pid}/cmdline");
            return raw.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Every PID in /proc now.</summary>
    public static IReadOnlyList<int> AllPids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .ToArray();

    /// <summary>The PIDs below <paramref name="roots"/> in the process tree (not the roots themselves).</summary>
    public static IReadOnlyList<int> Descendants(IReadOnlyCollection<int> roots)
    {
        var parents = AllPids().Select(pid => (pid, parent: ParentOf(pid))).Where(p => p.parent is not null).ToArray();
        var found = new HashSet<int>(roots);
        var result = new List<int>();
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, parent) in parents)
                if (found.Contains(parent!.Value) && found.Add(pid))
                {
                    result.Add(pid);
                    grew = true;
                }
        }
        return result;
    }

    private static (char State, int Parent)? ReadStat(int pid)
    {
        try
        {
            // Format: "PID (COMM) STATE PPID ..."; COMM may hold spaces and parentheses, so split after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (rest[0][0], int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
