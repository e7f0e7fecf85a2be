using System.Diagnostics;

namespace Navarch.Lab.Host;

/// <summary>A started background process: its PID and start time (to recognise it later), and its log file.</summary>
public sealed record DetachedProcess(int Pid, long StartTicks, string LogFile)
{
    /// <summary>
    /// Starts <paramref name="program"/> detached from the caller: in a session of its own (<c>setsid</c>: no
    /// terminal hang-up reaches it), stdin from /dev/null, stdout and stderr appended to <paramref name="logFile"/>
    /// (files, not pipes, so the caller may exit), inside <paramref name="netnsPath"/> when given (<c>nsenter --net</c>).
    /// Every wrapper execs, so the PID is the program's.
    /// </summary>
    public static DetachedProcess Start(string? netnsPath, string program, IEnumerable<string> args, string logFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // $0 is the log; the rest is the command. `setsid` execs directly: a child of ours leads no process group.
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec setsid \"$@\" </dev/null >>\"$0\" 2>&1");
        psi.ArgumentList.Add(logFile);
        if (netnsPath is not null)
        {
            psi.ArgumentList.Add("nsenter");
            psi.ArgumentList.Add("--net=" + netnsPath);
        }
        psi.ArgumentList.Add(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new LabException($"could not start {program}");
        var pid = process.Id;
        return new DetachedProcess(pid, ProcessInfo.StartTicks(pid), logFile);
    }

    /// <summary>Whether it still runs (the same process, not a reused PID).</summary>
    public bool IsAlive => ProcessInfo.IsAlive(Pid, StartTicks);

    /// <summary>The last lines of its log, for error messages.</summary>
    public string LogTail(int lines = 15)
    {
        try { return string.Join('\n', File.ReadLines(LogFile).TakeLast(lines)); }
        catch (IOException) { return "(no log)"; }
    }
}
