using System.Globalization;

namespace Navarch.Bench.Agent;

/// <summary>One target of the issue: what was measured against its limit.</summary>
internal sealed record Target(string Name, string Measured, string Limit, bool Pass);

/// <summary>Collects the figures of a run and prints them as a table, then notes, then PASS/FAIL per target.</summary>
internal sealed class Report
{
    private readonly List<(StartRun Run, string Note)> _rows = [];
    private readonly List<string> _notes = [];
    private readonly List<Target> _targets = [];

    public bool AllPass => _targets.All(t => t.Pass);

    public void Add(StartRun run, string note = "") => _rows.Add((run, note));

    public void Note(string text) => _notes.Add(text);

    /// <summary>Records a "measured ≤ limit" target.</summary>
    public void AtMost(string name, double measured, double limit, string unit) =>
        _targets.Add(new Target(name, $"{F(measured, "0.0")} {unit}", $"<= {F(limit, "0")} {unit}", measured <= limit));

    public void Print(TextWriter o)
    {
        o.WriteLine();
        o.WriteLine($"{"phase",-40} {"pods",5} {"starts/s",9} {"p50 ms",8} {"p99 ms",8} {"max ms",8}  note");
        foreach (var (r, note) in _rows)
            o.WriteLine($"{r.Name,-40} {r.Count,5} {F(r.PerSecond, "0.0"),9} {F(r.P50Ms, "0"),8} {F(r.P99Ms, "0"),8} {F(r.MaxMs, "0"),8}  {note}");
        o.WriteLine();
        foreach (var n in _notes) o.WriteLine(n);
        o.WriteLine();
        o.WriteLine($"{"target",-40} {"measured",14} {"limit",14}  result");
        foreach (var t in _targets)
            o.WriteLine($"{t.Name,-40} {t.Measured,14} {t.Limit,14}  {(t.Pass ? "PASS" : "FAIL")}");
    }

    /// <summary>A number in the invariant culture; NaN as "-".</summary>
    public static string F(double v, string format) => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);
}
