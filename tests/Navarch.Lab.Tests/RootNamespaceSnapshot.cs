using System.Text.RegularExpressions;
using Navarch.Lab.Host;

namespace Navarch.Lab.Tests;

/// <summary>
/// What the lab must leave as it found it in the root namespace: links, routes, addresses, the nat and filter
/// tables, mounts. Packet counters and entries of other tests' namespaces (which may come and go meanwhile under
/// /run/netns) are left out, so that only the lab's own effects can make two snapshots differ.
/// </summary>
internal sealed partial record RootNamespaceSnapshot(string Links, string Routes, string Addresses, string Nat, string Filter, string Mounts)
{
    public static async Task<RootNamespaceSnapshot> TakeAsync(string ownPrefix) => new(
        await HostCommand.RunAsync("ip", ["-o", "link"]),
        await HostCommand.RunAsync("ip", ["route"]),
        await HostCommand.RunAsync("ip", ["addr"]),
        Tables(await HostCommand.RunAsync("iptables-save", ["-t", "nat"])),
        Tables(await HostCommand.RunAsync("iptables-save", ["-t", "filter"])),
        string.Join('\n', File.ReadAllLines("/proc/mounts").Where(l => !IsOtherNamespace(l, ownPrefix))));

    private static bool IsOtherNamespace(string mountLine, string ownPrefix) =>
        mountLine.Split(' ') is { Length: > 1 } f && f[1].StartsWith("/run/netns/", StringComparison.Ordinal) && !f[1].StartsWith("/run/netns/" + ownPrefix, StringComparison.Ordinal);

    private static string Tables(string save) =>
        string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')).Select(l => Counters().Replace(l, "")));

    [GeneratedRegex(@"\[\d+:\d+\]")]
    private static partial Regex Counters();
}
