using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Navarch.Agent.Command;

/// <summary>
/// Makes the agent process small, once, at start. The agent lives on every node beside the pods, and its budget is
/// 100 MB; a JIT-compiled .NET process doing its work needs ≈ 115 MiB, the same code compiled ahead of time ≈ 65.
/// So <c>navarch agent</c> hands over to the ahead-of-time build (<c>navarch-agent</c>, which the launcher publishes
/// beside navarch.dll) when there is one, and runs in-process when there is none. Either way the process runs with a
/// 4 MiB gen0 budget instead of one sized to the CPU cache (32 MiB here, nearly all of it resident once the agent
/// has been busy) and, when JIT-compiled, without tier-0 instrumentation (a third copy of the hot code). The runtime
/// reads these settings only from the environment when it starts, hence execve: it keeps the PID, the arguments and
/// the standard streams. Settings already in the environment win.
/// </summary>
internal static class AgentProcess
{
    /// <summary>Set to a path to use that native agent, or to "" to keep the agent in-process.</summary>
    public const string BinaryVariable = "NAVARCH_AGENT_BINARY";

    /// <summary>The native agent's file name, beside navarch.dll.</summary>
    public const string BinaryName = "navarch-agent";

    private const string Applied = "NAVARCH_AGENT_PROCESS";

    private static readonly (string Name, string Value)[] Settings =
    [
        ("DOTNET_GCgen0size", "0x400000"),
        ("DOTNET_TieredPGO", "0"),
    ];

    /// <summary>
    /// Re-executes as the native agent, or as this program with <see cref="Settings"/>, unless that already happened;
    /// returns when it cannot (the agent then runs as it is: it works, just larger). The native agent takes the
    /// arguments after <c>navarch agent</c> as its own.
    /// </summary>
    public static void Settle()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Applied) is not null) return;
        var native = RuntimeFeature.IsDynamicCodeSupported ? NativeAgent() : null;
        string? program;
        string[] arguments;
        if (native is not null)
        {
            program = native;
            arguments = [BinaryName, .. Environment.GetCommandLineArgs().SkipWhile(a => a != "agent").Skip(1)];
        }
        else
        {
            program = Environment.ProcessPath;
            try
            {
                arguments = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
            }
            catch (IOException)
            {
                return;
            }
        }
        if (program is null || arguments.Length == 0) return;

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        foreach (var (name, value) in Settings)
            environment.TryAdd(name, value);
        environment[Applied] = "1";

        execve(program, [.. arguments, null], [.. environment.Select(e => $"{e.Key}={e.Value}"), null]);
        // Only a failed execve returns.
    }

    /// <summary>The native agent to hand over to: <see cref="BinaryVariable"/>, else navarch-agent beside this program.</summary>
    private static string? NativeAgent()
    {
        var path = Environment.GetEnvironmentVariable(BinaryVariable) ?? Path.Combine(AppContext.BaseDirectory, BinaryName);
        return path.Length > 0 && File.Exists(path) ? path : null;
    }

    // DllImport rather than LibraryImport: the source-generated form needs AllowUnsafeBlocks. LPStr is UTF-8 on Linux.
    [DllImport("libc", SetLastError = true)]
    private static extern int execve(string path,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] argv,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] envp);
}
