using System.Diagnostics;

namespace Navarch.Testing;

/// <param name="ExitCode">The process's exit code.</param>
public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs a real kubectl binary against a server, with a private HOME and discovery cache so runs never
/// see each other's cached discovery.
/// </summary>
public sealed class Kubectl(string server, string binary = Kubectl.Default) : IDisposable
{
    public const string Default = "/usr/bin/kubectl";
    public const string V127 = "/usr/lib/google-cloud-sdk/bin/kubectl.1.27";

    private readonly string _home = Directory.CreateTempSubdirectory("navarch-kubectl-").FullName;

    public string Binary => binary;
    public string WorkDir => _home;

    /// <summary>Variables set for every run besides the test's own environment (e.g. <c>KUBE_EDITOR</c> for <c>kubectl edit</c>).</summary>
    public Dictionary<string, string> ExtraEnvironment { get; } = [];

    /// <summary>Runs kubectl with <paramref name="args"/>; kills it after <paramref name="timeout"/> (default 60 s).</summary>
    public async Task<KubectlResult> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var psi = Start(args);
        psi.RedirectStandardInput = stdin is not null;
        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in time");
        }
        return new KubectlResult(p.ExitCode, await stdout, await stderr);
    }

    public Task<KubectlResult> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);

    /// <summary>Starts kubectl without waiting (for <c>get -w</c>); the caller reads and kills it.</summary>
    public Process StartStreaming(params string[] args) => Process.Start(Start(args))!;

    /// <summary>Writes <paramref name="content"/> to a file in kubectl's private directory; returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_home, name);
        File.WriteAllText(path, content);
        return path;
    }

    private ProcessStartInfo Start(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _home,
        };
        psi.Environment["HOME"] = _home;
        psi.Environment.Remove("KUBECONFIG");
        foreach (var (name, value) in ExtraEnvironment) psi.Environment[name] = value;
        foreach (var a in new[] { "-s", server, "--cache-dir", Path.Combine(_home, "cache") }.Concat(args))
            psi.ArgumentList.Add(a);
        return psi;
    }

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { }
    }
}
