using System.Text;
using Navarch.Proxy.Iptables;

namespace Navarch.Proxy.Tests;

/// <summary>
/// An in-memory <see cref="IIptables"/> that records every call and keeps a small model of the tables: the chains
/// (built-in ones and those declared by restores) and their rules, restored <c>-A</c> lines as written and ensured
/// rules as argv words. It refuses what the real iptables refuses and the proxy must avoid: a rule that jumps to a
/// chain that does not exist (also for <c>-C</c>/<c>-D</c>: iptables cannot even check such a rule), <c>-A</c> to an
/// unknown chain, and <c>-X</c> of a chain that is missing or still jumped to. A restore is all or nothing.
/// </summary>
public sealed class FakeIptables : IIptables
{
    private static readonly Dictionary<string, string[]> BuiltinChains = new(StringComparer.Ordinal)
    {
        ["nat"] = ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
        ["filter"] = ["INPUT", "FORWARD", "OUTPUT"],
    };

    // Targets that are extensions, not chains: a jump to them needs no chain.
    private static readonly HashSet<string> BuiltinTargets = new(StringComparer.Ordinal)
    {
        "ACCEPT", "DROP", "REJECT", "RETURN", "DNAT", "SNAT", "REDIRECT", "MASQUERADE", "MARK", "LOG",
    };

    // Guarded by _lock: the model, the call log and the armed failure.
    private readonly Lock _lock = new();
    private Dictionary<string, Dictionary<string, List<string>>> _tables = new(StringComparer.Ordinal);
    private readonly List<IptablesCall> _calls = [];
    private string? _failNextRestore;
    private string? _failNextEnsure;

    /// <summary>Every call so far, in order (failed ones too).</summary>
    public IReadOnlyList<IptablesCall> Calls
    {
        get { lock (_lock) return [.. _calls]; }
    }

    /// <summary>The text of every restore, in order (failed ones too).</summary>
    public IReadOnlyList<string> Restores => Calls.Where(c => c.Verb == IptablesVerb.Restore).Select(c => c.Text!).ToList();

    /// <summary>Every <see cref="EnsureRuleAsync"/>, in order.</summary>
    public IReadOnlyList<IptablesCall> Ensures => Calls.Where(c => c.Verb == IptablesVerb.Ensure).ToList();

    /// <summary>Every <see cref="DeleteRuleAsync"/>, in order.</summary>
    public IReadOnlyList<IptablesCall> Deletes => Calls.Where(c => c.Verb == IptablesVerb.Delete).ToList();

    /// <summary>Makes the next <see cref="RestoreAsync"/> throw an <see cref="IptablesException"/> and change nothing.</summary>
    public void FailNextRestore(string message = "iptables-restore: line 2 failed")
    {
        lock (_lock) _failNextRestore = message;
    }

    /// <summary>Makes the next <see cref="EnsureRuleAsync"/> throw an <see cref="IptablesException"/> and change nothing.</summary>
    public void FailNextEnsure(string message = "iptables: Resource temporarily unavailable.")
    {
        lock (_lock) _failNextEnsure = message;
    }

    /// <summary>The chains <paramref name="table"/> has now, built-in ones first.</summary>
    public IReadOnlyList<string> Chains(string table)
    {
        lock (_lock) return [.. Table(_tables, table).Keys];
    }

    /// <summary>Whether <paramref name="chain"/> exists in <paramref name="table"/>.</summary>
    public bool HasChain(string table, string chain)
    {
        lock (_lock) return Table(_tables, table).ContainsKey(chain);
    }

    /// <summary>The rules of <paramref name="chain"/> as one-line texts (ensured rules: their words joined by spaces).</summary>
    public IReadOnlyList<string> Rules(string table, string chain)
    {
        lock (_lock) return Table(_tables, table).TryGetValue(chain, out var rules) ? [.. rules] : [];
    }

    /// <inheritdoc />
    public Task RestoreAsync(string rules, CancellationToken ct)
    {
        lock (_lock)
        {
            _calls.Add(new IptablesCall(IptablesVerb.Restore, null, null, null, rules));
            if (_failNextRestore is { } message)
            {
                _failNextRestore = null;
                throw new IptablesException(message, "iptables-restore --noflush -w 5", exitCode: 1, inputLineNumber: 2);
            }

            // Work on a copy and keep it only when every line applied: a restore is atomic.
            var next = Copy(_tables);
            Apply(next, rules);
            _tables = next;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task EnsureRuleAsync(string table, string chain, IReadOnlyList<string> rule, bool prepend, CancellationToken ct)
    {
        lock (_lock)
        {
            _calls.Add(new IptablesCall(IptablesVerb.Ensure, table, chain, [.. rule], null, prepend));
            if (_failNextEnsure is { } message)
            {
                _failNextEnsure = null;
                throw new IptablesException(message, $"iptables -w 5 -t {table} -C {chain} ...", exitCode: 4);
            }

            var rules = ExistingChain(_tables, table, chain, "ensure");
            var text = string.Join(' ', rule);
            RequireTarget(_tables, table, text, "ensure");
            if (!rules.Contains(text))
            {
                if (prepend) rules.Insert(0, text);
                else rules.Add(text);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeleteRuleAsync(string table, string chain, IReadOnlyList<string> rule, CancellationToken ct)
    {
        lock (_lock)
        {
            _calls.Add(new IptablesCall(IptablesVerb.Delete, table, chain, [.. rule], null));
            var text = string.Join(' ', rule);
            RequireTarget(_tables, table, text, "delete");
            if (Table(_tables, table).TryGetValue(chain, out var rules)) rules.RemoveAll(r => r == text);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string> SaveAsync(string table, CancellationToken ct)
    {
        lock (_lock)
        {
            _calls.Add(new IptablesCall(IptablesVerb.Save, table, null, null, null));
            var chains = Table(_tables, table);
            var builtin = BuiltinChains.GetValueOrDefault(table) ?? [];
            var text = new StringBuilder("# Generated by FakeIptables\n").Append('*').Append(table).Append('\n');
            foreach (var chain in chains.Keys)
                text.Append(':').Append(chain).Append(builtin.Contains(chain) ? " ACCEPT [0:0]\n" : " - [0:0]\n");
            foreach (var (chain, rules) in chains)
                foreach (var rule in rules) text.Append("-A ").Append(chain).Append(' ').Append(rule).Append('\n');
            text.Append("COMMIT\n# Completed\n");
            return Task.FromResult(text.ToString());
        }
    }

    private static void Apply(Dictionary<string, Dictionary<string, List<string>>> tables, string rules)
    {
        string? table = null;
        var lineNumber = 0;
        foreach (var line in rules.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.StartsWith('*'))
            {
                table = line[1..];
                continue;
            }

            if (table is null) throw Rejected(lineNumber, line, "no table (*TABLE) before it");
            if (line == "COMMIT")
            {
                table = null;
                continue;
            }

            var chains = Table(tables, table);
            if (line.StartsWith(':'))
            {
                // --noflush: declaring a chain creates it, or flushes it when it exists.
                var name = line[1..].Split(' ')[0];
                chains[name] = [];
                continue;
            }

            var words = line.Split(' ', 3);
            switch (words[0])
            {
                case "-A" when words.Length == 3:
                    if (!chains.TryGetValue(words[1], out var rulesOfChain)) throw Rejected(lineNumber, line, $"no chain {words[1]}");
                    if (TargetOf(words[2]) is { } target && !BuiltinTargets.Contains(target) && !chains.ContainsKey(target))
                        throw Rejected(lineNumber, line, $"no chain/target {target}");
                    rulesOfChain.Add(words[2]);
                    break;
                case "-X" when words.Length == 2:
                    if (!chains.ContainsKey(words[1])) throw Rejected(lineNumber, line, $"no chain {words[1]} to delete");
                    var user = chains.Where(c => c.Key != words[1] && c.Value.Any(r => TargetOf(r) == words[1])).Select(c => c.Key).FirstOrDefault();
                    if (user is not null) throw Rejected(lineNumber, line, $"{words[1]} is still jumped to from {user}");
                    chains.Remove(words[1]);
                    break;
                default:
                    throw Rejected(lineNumber, line, "not a line this fake understands");
            }
        }

        if (table is not null) throw Rejected(lineNumber, "", $"*{table} has no COMMIT");
    }

    private static IptablesException Rejected(int lineNumber, string line, string why) =>
        new($"iptables-restore: line {lineNumber} ({line}): {why}", "iptables-restore --noflush -w 5", exitCode: 1, inputLineNumber: lineNumber);

    private static void RequireTarget(Dictionary<string, Dictionary<string, List<string>>> tables, string table, string rule, string verb)
    {
        if (TargetOf(rule) is { } target && !BuiltinTargets.Contains(target) && !Table(tables, table).ContainsKey(target))
        {
            // What iptables 1.8.9 says for -C/-I/-A/-D of a rule whose target chain is missing.
            throw new IptablesException($"iptables v1.8.9 (nf_tables): Couldn't load target `{target}':No such file or directory ({verb})",
                $"iptables -w 5 -t {table} ...", exitCode: 2);
        }
    }

    private static List<string> ExistingChain(Dictionary<string, Dictionary<string, List<string>>> tables, string table, string chain, string verb) =>
        Table(tables, table).TryGetValue(chain, out var rules)
            ? rules
            : throw new IptablesException($"iptables: No chain/target/match by that name ({verb} {table} {chain})", $"iptables -w 5 -t {table} ...", exitCode: 1);

    /// <summary>The word after the last <c>-j</c> of a rule (quoted comments contain no <c>-j</c> word of their own here).</summary>
    private static string? TargetOf(string rule)
    {
        var words = rule.Split(' ');
        var j = Array.LastIndexOf(words, "-j");
        return j >= 0 && j + 1 < words.Length ? words[j + 1] : null;
    }

    private static Dictionary<string, List<string>> Table(Dictionary<string, Dictionary<string, List<string>>> tables, string table)
    {
        if (!tables.TryGetValue(table, out var chains))
        {
            chains = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var builtin in BuiltinChains.GetValueOrDefault(table) ?? []) chains[builtin] = [];
            tables[table] = chains;
        }
        return chains;
    }

    private static Dictionary<string, Dictionary<string, List<string>>> Copy(Dictionary<string, Dictionary<string, List<string>>> tables) =>
        tables.ToDictionary(
            t => t.Key,
            t => t.Value.ToDictionary(c => c.Key, c => c.Value.ToList(), StringComparer.Ordinal),
            StringComparer.Ordinal);
}

/// <summary>What a <see cref="FakeIptables"/> was asked to do.</summary>
public enum IptablesVerb
{
    Restore,
    Ensure,
    Delete,
    Save,
}

/// <summary>One call to a <see cref="FakeIptables"/>: the restore text, or the table, chain and rule words.</summary>
public sealed record IptablesCall(IptablesVerb Verb, string? Table, string? Chain, IReadOnlyList<string>? Rule, string? Text, bool Prepend = false)
{
    /// <summary>Whether this ensure or delete is of <paramref name="jump"/>.</summary>
    public bool Is(JumpRule jump) => Table == jump.Table && Chain == jump.Chain && Rule is not null && Rule.SequenceEqual(jump.Rule);
}
