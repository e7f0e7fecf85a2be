namespace Navarch.Proxy;

/// <summary>
/// The iptables of the network namespace this process runs in. The proxy owns its chains (KUBE-*) and writes them
/// whole with <see cref="RestoreAsync"/>; the jumps into them from the built-in chains are single rules it ensures.
/// </summary>
public interface IIptables
{
    /// <summary>
    /// Applies <paramref name="rules"/> (iptables-restore format: <c>*nat</c>, <c>:CHAIN - [0:0]</c>, <c>-A ...</c>,
    /// <c>COMMIT</c>) atomically per table, without flushing the chains it does not declare (<c>--noflush</c>).
    /// </summary>
    Task RestoreAsync(string rules, CancellationToken ct);

    /// <summary>Makes sure <c>-t table chain rule...</c> exists (checked with <c>-C</c>): inserted first, or appended.</summary>
    Task EnsureRuleAsync(string table, string chain, IReadOnlyList<string> rule, bool prepend, CancellationToken ct);

    /// <summary>Deletes <c>-t table chain rule...</c> if it exists.</summary>
    Task DeleteRuleAsync(string table, string chain, IReadOnlyList<string> rule, CancellationToken ct);

    /// <summary><c>iptables-save -t table</c>.</summary>
    Task<string> SaveAsync(string table, CancellationToken ct);
}
