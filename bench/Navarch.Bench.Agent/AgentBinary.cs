using System.Diagnostics;

namespace Navarch.Bench.Agent;

/// <summary>
/// Which agent the benchmark measures: the native (ahead-of-time compiled) <c>navarch-agent</c> that the launcher
/// builds and <c>navarch agent</c> hands over to, as users run it; or, with <c>--jit</c>, the in-process agent.
/// </summary>
internal static class AgentBinary
{
    private const string Variable = "NAVARCH_AGENT_BINARY";

    /// <summary>
    /// Points the lab's <c>navarch agent</c> at the native agent (building it through <c>./navarch</c> first) or keeps
    /// it in-process; returns a line saying which.
    /// </summary>
    public static async Task<string> ChooseAsync(bool jit, CancellationToken ct)
    {
        if (jit)
        {
            Environment.SetEnvironmentVariable(Variable, "");
            return "agent: in-process, JIT-compiled (--jit)";
        }
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
            return $"agent: native, {given} (from {Variable})";
        var root = RepositoryRoot() ?? throw new InvalidOperationException("the repository's ./navarch launcher was not found above " + AppContext.BaseDirectory);
        var launcher = Path.Combine(root, "navarch");
        using var build = Process.Start(new ProcessStartInfo(launcher, "--version") { RedirectStandardOutput = true })!;
        await build.WaitForExitAsync(ct);
        var binary = Path.Combine(root, ".build", "navarch", "navarch-agent");
        if (build.ExitCode != 0 || !File.Exists(binary))
            throw new InvalidOperationException($"./navarch did not build the native agent ({binary}); run it to see why, or pass --jit");
        Environment.SetEnvironmentVariable(Variable, binary);
        return $"agent: native, {binary} (built by ./navarch)";
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "navarch")) && File.Exists(Path.Combine(dir.FullName, "Navarch.slnx")))
                return dir.FullName;
        return null;
    }
}
