using System.Diagnostics;

namespace Navarch.Bench.Store;

/// <summary>The outcome of one load: completed operations, elapsed time and per-operation latencies.</summary>
internal sealed record LoadResult(string Name, int Operations, TimeSpan Elapsed, double P50Ms, double P99Ms)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;
}

/// <summary>Runs one operation from many concurrent workers until a deadline, timing each call.</summary>
internal static class LoadRun
{
    public static async Task<LoadResult> RunAsync(string name, int workers, TimeSpan duration, Func<int, int, Task> operation)
    {
        var latencies = new List<double>[workers];
        var clock = Stopwatch.StartNew();
        var deadline = duration;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(4096);
            for (var i = 0; clock.Elapsed < deadline; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await operation(w, i);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })));
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(name, all.Length, elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
