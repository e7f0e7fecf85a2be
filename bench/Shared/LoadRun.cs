using System.Diagnostics;

namespace Navarch.Bench;

/// <summary>The outcome of one load: completed operations, elapsed time and per-operation latencies.</summary>
internal sealed record LoadResult(string Name, int Operations, TimeSpan Elapsed, double P50Ms, double P99Ms)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;
}

/// <summary>
/// Runs one operation from many concurrent workers until a deadline or an operation budget runs out,
/// timing each call. Shared by the benchmarks so that every baseline is driven the same way.
/// </summary>
internal static class LoadRun
{
    /// <summary>
    /// Calls <paramref name="operation"/>(worker, i) from <paramref name="workers"/> workers, i counting each
    /// worker's calls from 0, until <paramref name="duration"/> has passed or <paramref name="maxOperations"/>
    /// calls have started, whichever comes first. An exception from an operation ends the run with it.
    /// </summary>
    public static async Task<LoadResult> RunAsync(string name, int workers, TimeSpan duration, Func<int, int, Task> operation, int maxOperations = int.MaxValue)
    {
        var latencies = new List<double>[workers];
        var started = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(4096);
            for (var i = 0; clock.Elapsed < duration && Interlocked.Increment(ref started) <= maxOperations; i++)
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

    /// <summary>The nearest-rank percentile of ascending <paramref name="sorted"/>; NaN when empty.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
