using System.Diagnostics;

namespace Navarch.Lab.Host;

/// <summary>The outcome of a finished program.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The first non-empty line of stderr (or stdout), for one-line errors.</summary>
    public string FirstErrorLine =>
        (Stderr + "\n" + Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {ExitCode}";
}

/// <summary>Runs short host programs (ip, sysctl, apt-get) to completion, capturing their output.</summary>
public static class HostCommand
{
    /// <summary>Runs <paramref name="program"/>; never throws for a non-zero exit.</summary>
    public static async Task<CommandResult> TryRunAsync(string program, IEnumerable<string> args, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new LabException($"could not start {program}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <paramref name="program"/> and returns its stdout; throws <see cref="LabException"/> with its first error line if it fails.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> args, CancellationToken ct = default)
    {
        var list = args.ToList();
        var result = await TryRunAsync(program, list, ct);
        if (result.ExitCode != 0) throw new LabException($"{program} {string.Join(' ', list)}: {result.FirstErrorLine}");
        return result.Stdout;
    }
}
