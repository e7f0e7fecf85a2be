using System.Globalization;

namespace Navarch.Bench.Api;

/// <summary>One line of the figures table.</summary>
internal sealed record Row(string Phase, int Operations, double PerSecond, double P50Ms, double P99Ms, string Note = "");

/// <summary>One target of the issue: what was measured against its limit.</summary>
internal sealed record Target(string Name, string Measured, string Limit, bool Pass);

/// <summary>Collects the figures of a run and prints them as a table, then PASS/FAIL per target.</summary>
internal sealed class Report
{
    private readonly List<Row> _rows = [];
    private readonly List<Target> _targets = [];
    private readonly List<string> _notes = [];

    public bool AllPass => _targets.All(t => t.Pass);

    public void Add(LoadResult r, string note = "") => _rows.Add(new Row(r.Name, r.Operations, r.PerSecond, r.P50Ms, r.P99Ms, note));

    public void Add(Row row) => _rows.Add(row);

    public void Note(string text) => _notes.Add(text);

    /// <summary>Records a "measured ≤ limit" target.</summary>
    public void AtMost(string name, double measured, double limit, string unit, string format = "0.0") =>
        _targets.Add(new Target(name, Format(measured, format) + " " + unit, "<= " + Format(limit, format) + " " + unit, measured <= limit));

    /// <summary>Records a "measured ≥ limit" target.</summary>
    public void AtLeast(string name, double measured, double limit, string unit, string format = "0.00") =>
        _targets.Add(new Target(name, Format(measured, format) + " " + unit, ">= " + Format(limit, format) + " " + unit, measured >= limit));

    public void Print(TextWriter o)
    {
        o.WriteLine();
        o.WriteLine($"{"phase",-44} {"ops",7} {"ops/s",9} {"p50 ms",8} {"p99 ms",8}  note");
        foreach (var r in _rows)
            o.WriteLine($"{r.Phase,-44} {r.Operations,7} {Format(r.PerSecond, "0"),9} {Format(r.P50Ms, "0.00"),8} {Format(r.P99Ms, "0.00"),8}  {r.Note}");
        o.WriteLine();
        foreach (var n in _notes) o.WriteLine(n);
        o.WriteLine();
        o.WriteLine($"{"target",-44} {"measured",16} {"limit",16}  result");
        foreach (var t in _targets)
            o.WriteLine($"{t.Name,-44} {t.Measured,16} {t.Limit,16}  {(t.Pass ? "PASS" : "FAIL")}");
    }

    private static string Format(double v, string format) =>
        double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);
}
