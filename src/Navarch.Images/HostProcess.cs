using System.Diagnostics;

namespace Navarch.Images;

/// <summary>Runs a host program to completion and captures its output.</summary>
internal static class HostProcess
{
    /// <summary>The exit code and captured output of a finished program.</summary>
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        /// <summary>The first line of stderr (or stdout), for one-line error messages.</summary>
        public string FirstErrorLine =>
            (StandardError.Length > 0 ? StandardError : StandardOutput).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {ExitCode}";
    }

    /// <summary>Runs <paramref name="program"/>; a missing program throws <see cref="ImageException"/>; a non-zero exit does not.</summary>
    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;

        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new ImageException($"cannot run {program}: {e.Message}", e); }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw;
            }
            return new Result(process.ExitCode, await stdout, await stderr);
        }
    }

    /// <summary>Runs <paramref name="program"/> and returns stdout; a non-zero exit throws <see cref="ImageException"/> with stderr's first line.</summary>
    public static async Task<string> OutputAsync(string program, IEnumerable<string> arguments, CancellationToken ct)
    {
        var args = arguments.ToList();
        var result = await RunAsync(program, args, ct);
        if (result.ExitCode != 0) throw new ImageException($"{program} {string.Join(' ', args)}: {result.FirstErrorLine}");
        return result.StandardOutput;
    }
}
