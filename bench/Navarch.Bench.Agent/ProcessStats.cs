namespace Navarch.Bench.Agent;

/// <summary>Resident memory and CPU time of processes, from /proc.</summary>
internal static class ProcessStats
{
    private const double MiB = 1024 * 1024;
    // USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux this runs on.
    private const double ClockTicksPerSecond = 100;

    /// <summary>VmRSS of <paramref name="pid"/> in MiB (NaN if it is gone).</summary>
    public static double RssMiB(int pid) => StatusMiB(pid, "VmRSS");

    /// <summary>The anonymous part of the RSS (heaps, stacks; the rest is mapped files such as the runtime's and the app's DLLs) in MiB.</summary>
    public static double RssAnonMiB(int pid) => StatusMiB(pid, "RssAnon");

    /// <summary>
    /// Where the RSS of a .NET process lives, from <c>/proc/PID/smaps</c>, in MiB: the GC heap and other anonymous
    /// memory, the runtime's double-mapped memory (JIT code, stubs and type data: what loading types and methods
    /// costs), native heaps (<c>[heap]</c>), and mapped files (framework, application, native libraries).
    /// </summary>
    public static IReadOnlyDictionary<string, double> RssBreakdownMiB(int pid)
    {
        var parts = new Dictionary<string, double>();
        try
        {
            var part = "";
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length >= 5 && fields[0].Contains('-') && !fields[0].EndsWith(':'))
                    part = Classify(fields.Length > 5 ? fields[5] : "");
                else if (fields is ["Rss:", var kb, ..])
                    parts[part] = parts.GetValueOrDefault(part) + long.Parse(kb) * 1024 / MiB;
            }
        }
        catch (IOException) { }
        return parts;

        static string Classify(string path) => path switch
        {
            "" => "anonymous",
            "[heap]" => "native heap",
            _ when path.Contains("doublemapper") => "JIT code and types",
            _ when path.EndsWith("/navarch-agent") => "native agent image",
            _ when path.EndsWith(".dll") && path.Contains("/shared/") => "framework DLLs",
            _ when path.EndsWith(".dll") => "app DLLs",
            _ when path.Contains(".so") => "native libraries",
            _ => "other",
        };
    }

    private static double StatusMiB(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024 / MiB;
        }
        catch (IOException) { return double.NaN; }
    }

    /// <summary>User plus system CPU seconds <paramref name="pid"/> has used so far (NaN if it is gone).</summary>
    public static double CpuSeconds(int pid)
    {
        var fields = StatFields(pid);
        // After "pid (comm) ": state is field 0, utime field 11, stime field 12.
        return fields is null ? double.NaN : (long.Parse(fields[11]) + long.Parse(fields[12])) / ClockTicksPerSecond;
    }

    /// <summary>The command name (<c>/proc/PID/comm</c>), or "" if it is gone.</summary>
    public static string Command(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return ""; }
    }

    /// <summary>The children of <paramref name="parent"/> whose command is <paramref name="command"/>.</summary>
    public static IReadOnlyList<int> ChildrenNamed(int parent, string command) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && StatFields(pid) is { } f && int.Parse(f[1]) == parent && Command(pid) == command)
            .ToArray();

    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException) { return null; }
    }
}
