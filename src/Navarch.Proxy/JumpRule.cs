namespace Navarch.Proxy;

/// <summary>
/// A rule the proxy keeps in a built-in chain (PREROUTING, OUTPUT, ...) to jump into one of its own chains. Built-in
/// chains are shared with the rest of the system, so these are ensured one by one (<see cref="IIptables.EnsureRuleAsync"/>)
/// instead of being written whole with iptables-restore; the target chain must exist first, so apply them after the restore.
/// </summary>
/// <param name="Table">The table, e.g. <c>nat</c>.</param>
/// <param name="Chain">The built-in chain that holds the rule, e.g. <c>PREROUTING</c>.</param>
/// <param name="Rule">The rule's arguments as separate argv words (comments unquoted), ending in <c>-j TARGET</c>.</param>
/// <param name="Prepend">Insert the rule first in <paramref name="Chain"/> (upstream's Prepend); false appends it.</param>
public sealed record JumpRule(string Table, string Chain, IReadOnlyList<string> Rule, bool Prepend = true);
