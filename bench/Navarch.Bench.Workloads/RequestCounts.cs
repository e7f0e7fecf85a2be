using System.Globalization;
using System.Text.RegularExpressions;

namespace Navarch.Bench.Workloads;

/// <summary>
/// The server's <c>apiserver_request_total</c> summed per verb and resource (with subresource), read from its
/// /metrics: the difference across a phase says which requests the phase cost, per pod.
/// </summary>
internal static partial class RequestCounts
{
    public static async Task<Dictionary<string, double>> ReadAsync(HttpClient http, string url, CancellationToken ct)
    {
        var text = await http.GetStringAsync($"{url}/metrics", ct);
        var counts = new Dictionary<string, double>();
        foreach (Match m in Sample().Matches(text))
        {
            var labels = Label().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            var resource = labels.GetValueOrDefault("resource", "") + (labels.GetValueOrDefault("subresource", "") is { Length: > 0 } sub ? "/" + sub : "");
            var key = $"{labels.GetValueOrDefault("verb", "")} {resource}";
            counts[key] = counts.GetValueOrDefault(key) + double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return counts;
    }

    /// <summary>The biggest differences between <paramref name="after"/> and <paramref name="before"/>, per pod, as one line.</summary>
    public static string PerPod(Dictionary<string, double> before, Dictionary<string, double> after, int pods, int top = 8) =>
        string.Join(", ", after
            .Select(kv => (kv.Key, Delta: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(d => d.Delta > 0)
            .OrderByDescending(d => d.Delta)
            .Take(top)
            .Select(d => $"{d.Key} {d.Delta / pods:0.00}"));

    [GeneratedRegex(@"^apiserver_request_total\{(?<labels>[^}]*)\} (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex Sample();

    [GeneratedRegex(@"(\w+)=""([^""]*)""")]
    private static partial Regex Label();
}
