using System.Diagnostics;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>Runs a navarch command to its end (bounded to 30 s) and returns what it printed.</summary>
public static class NavarchCli
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "navarch.dll")); // the project references src/Navarch
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"navarch {string.Join(' ', args)} did not finish within 30 s");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}
