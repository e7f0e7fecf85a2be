namespace Navarch.Lab.Host;

/// <summary>
/// What /proc says about processes: liveness (a zombie counts as dead: PID 1 here reaps slowly), start time
/// (to tell a recorded PID from a reused one), parents, names. Processes that vanish mid-read count as gone.
/// </summary>
public static class ProcessInfo
{
    /// <summary>Whether <paramref name="pid"/> runs (exists and is not a zombie).</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { } s && s.State != 'Z';

    /// <summary>Whether <paramref name="pid"/> runs and started at <paramref name="startTicks"/> (see <see cref="StartTicks"/>); 0 skips that check.</summary>
    public static bool IsAlive(int pid, long startTicks) => Stat(pid) is { } s && s.State != 'Z' && (startTicks == 0 || s.StartTicks == startTicks);

    /// <summary>The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or 0 when it is gone.</summary>
    public static long StartTicks(int pid) => Stat(pid)?.StartTicks ?? 0;

    /// <summary>The process's name (/proc/PID/comm), or empty when it is gone.</summary>
    public static string Name(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    /// <summary>Every live descendant of <paramref name="roots"/> (not the roots themselves).</summary>
    public static IReadOnlyList<int> Descendants(IEnumerable<int> roots)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Stat(pid) is { State: not 'Z' } s) parents[pid] = s.Parent;
        var found = new HashSet<int>();
        var frontier = new Queue<int>(roots);
        while (frontier.Count > 0)
        {
            var parent = frontier.Dequeue();
            foreach (var (pid, ppid) in parents)
                if (ppid == parent && found.Add(pid)) frontier.Enqueue(pid);
        }
        return found.ToArray();
    }

    /// <summary>Sends <paramref name="signal"/> if the process is the one recorded; returns whether it was sent.</summary>
    public static bool Signal(int pid, int signal, long startTicks = 0) => IsAlive(pid, startTicks) && LibC.Kill(pid, signal) == 0;

    /// <summary>Waits until none of <paramref name="pids"/> is alive or <paramref name="timeout"/> passes; returns whether all are gone.</summary>
    public static async Task<bool> WaitGoneAsync(IEnumerable<int> pids, TimeSpan timeout)
    {
        var list = pids.ToArray();
        var deadline = DateTime.UtcNow + timeout;
        while (list.Any(IsAlive))
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(20);
        }
        return true;
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>; returns once it is gone (or a last 5 s passed).</summary>
    public static async Task StopAsync(int pid, long startTicks, TimeSpan grace)
    {
        if (!Signal(pid, LibC.SigTerm, startTicks)) return;
        if (await WaitGoneAsync([pid], grace)) return;
        Signal(pid, LibC.SigKill, startTicks);
        await WaitGoneAsync([pid], TimeSpan.FromSeconds(5));
    }

    private sealed record StatLine(char State, int Parent, long StartTicks);

    private static StatLine? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The name (field 2) may hold spaces and parentheses: fields after it start past the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return new StatLine(fields[0][0], int.Parse(fields[1]), long.Parse(fields[19]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
