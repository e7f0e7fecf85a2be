using System.Diagnostics;
using Navarch.Lab.Host;

namespace Navarch.Testing;

/// <summary>
/// A network namespace of a test's own (<c>ip netns add</c>) with loopback up. Disposing kills what still
/// runs in it and deletes it; that is idempotent and also runs when creation failed half-way. Needs root:
/// use only from <c>[Trait("Category","E2E")]</c> tests.
/// </summary>
public sealed class NetNs : IAsyncDisposable
{
    private int _disposed;

    private NetNs(string name) => Name = name;

    /// <summary>The namespace's name (under /run/netns).</summary>
    public string Name { get; }

    /// <summary>Its path, for <c>nsenter --net=</c>.</summary>
    public string Path => "/run/netns/" + Name;

    /// <summary>Creates a namespace named <paramref name="prefix"/> plus a random suffix (15 characters at most) with <c>lo</c> up.</summary>
    public static async Task<NetNs> CreateAsync(string prefix = "nvt")
    {
        var netns = new NetNs($"{prefix}-{Guid.NewGuid():N}"[..Math.Min(15, prefix.Length + 9)]);
        try
        {
            await RunAsync("ip", "netns", "add", netns.Name);
            await RunAsync("ip", "-n", netns.Name, "link", "set", "lo", "up");
            return netns;
        }
        catch
        {
            await netns.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether a namespace named <paramref name="name"/> exists.</summary>
    public static bool Exists(string name) => File.Exists("/run/netns/" + name);

    /// <summary>PIDs of the processes that run in the namespace (<c>ip netns pids</c>), zombies excluded.</summary>
    public Task<IReadOnlyList<int>> PidsAsync() => new NetworkNamespace(Name).PidsAsync();

    /// <summary>Runs a program inside the namespace (via <c>nsenter --net</c>, which leaves /sys alone) and returns its stdout; throws with its stderr if it fails.</summary>
    public Task<string> ExecAsync(string program, params string[] args) =>
        RunAsync("nsenter", ["--net=" + Path, program, .. args]);

    /// <summary>Kills what still runs in the namespace, then deletes it. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || !Exists(Name)) return;
        foreach (var pid in await PidsAsync())
        {
            try { Process.GetProcessById(pid).Kill(); }
            catch (ArgumentException) { /* already gone */ }
        }
        await RunAsync("ip", "netns", "del", Name);
    }

    private static async Task<string> RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed with exit code {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
