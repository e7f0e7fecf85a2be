namespace Navarch.Lab.Host;

/// <summary>
/// A named network namespace (<c>ip netns</c>, under /run/netns). Programs run inside it through
/// <c>nsenter --net</c>, never <c>ip netns exec</c>, which remounts /sys and hides the cgroup v1 mounts
/// containerd needs (PLATFORM.md).
/// </summary>
public sealed class NetworkNamespace(string name)
{
    /// <summary>The directory of named namespaces.</summary>
    public const string Directory = "/run/netns";

    /// <summary>The namespace's name.</summary>
    public string Name { get; } = name;

    /// <summary>Its path, for <c>nsenter --net=</c> and <c>setns</c>.</summary>
    public string Path => System.IO.Path.Combine(Directory, Name);

    /// <summary>Whether it exists.</summary>
    public bool Exists => File.Exists(Path);

    /// <summary>Creates it with loopback up; throws <see cref="LabException"/> if that fails.</summary>
    public async Task CreateAsync(CancellationToken ct = default)
    {
        await HostCommand.RunAsync("ip", ["netns", "add", Name], ct);
        await IpAsync(ct, "link", "set", "lo", "up");
    }

    /// <summary>Runs <c>ip -n NAME ARGS</c> (configures the namespace without entering it).</summary>
    public Task<string> IpAsync(CancellationToken ct, params string[] args) => HostCommand.RunAsync("ip", ["-n", Name, .. args], ct);

    /// <summary>Runs a program inside the namespace and returns its stdout; throws <see cref="LabException"/> if it fails.</summary>
    public Task<string> ExecAsync(CancellationToken ct, string program, params string[] args) =>
        HostCommand.RunAsync("nsenter", ["--net=" + Path, program, .. args], ct);

    /// <summary>Sets a sysctl of the namespace (net.* sysctls are per namespace).</summary>
    public Task SysctlAsync(string key, string value, CancellationToken ct = default) =>
        ExecAsync(ct, "sysctl", "-q", "-w", $"{key}={value}");

    /// <summary>The live processes inside it (<c>ip netns pids</c>), zombies excluded; empty if it does not exist.</summary>
    public async Task<IReadOnlyList<int>> PidsAsync(CancellationToken ct = default)
    {
        if (!Exists) return [];
        var result = await HostCommand.TryRunAsync("ip", ["netns", "pids", Name], ct);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.TryParse(p, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ProcessInfo.IsAlive(pid))
            .ToArray();
    }

    /// <summary>SIGKILLs what still runs inside (and their children elsewhere), then deletes the namespace. Safe when it does not exist.</summary>
    public async Task DeleteAsync(CancellationToken ct = default)
    {
        if (!Exists) return;
        var pids = await PidsAsync(ct);
        var victims = ProcessInfo.Descendants(pids).Concat(pids).Distinct().ToArray();
        foreach (var pid in victims) ProcessInfo.Signal(pid, LibC.SigKill);
        await ProcessInfo.WaitGoneAsync(victims, TimeSpan.FromSeconds(5));
        var result = await HostCommand.TryRunAsync("ip", ["netns", "del", Name], ct);
        if (result.ExitCode != 0 && Exists) throw new LabException($"ip netns del {Name}: {result.FirstErrorLine}");
    }
}
