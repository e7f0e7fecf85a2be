using System.Diagnostics;

namespace Navarch.Bench.Agent;

/// <summary>
/// The outcome of starting <see cref="Count"/> pods one way: each pod's latency from its launch to Running, and
/// the span from the first launch to the last pod Running (throughput = count / span).
/// </summary>
internal sealed record StartRun(string Name, double[] LatenciesMs, TimeSpan Span)
{
    public int Count => LatenciesMs.Length;
    public double P50Ms => Percentile(0.50);
    public double P99Ms => Percentile(0.99);
    public double MaxMs => LatenciesMs.Length == 0 ? double.NaN : LatenciesMs[^1];
    public double PerSecond => Count / Span.TotalSeconds;

    /// <summary>Nearest-rank percentile: with 50 samples p99 is the slowest one.</summary>
    public double Percentile(double q) =>
        LatenciesMs.Length == 0 ? double.NaN : LatenciesMs[Math.Clamp((int)Math.Ceiling(q * LatenciesMs.Length) - 1, 0, LatenciesMs.Length - 1)];

    /// <summary>
    /// Latency without queueing: one pod at a time, each launched <paramref name="gap"/> after the previous one was
    /// Running. <paramref name="startOne"/> gets the pod's index and returns the Stopwatch timestamp at which it was Running.
    /// </summary>
    public static async Task<StartRun> SequentialAsync(string name, int count, TimeSpan gap, Func<int, CancellationToken, Task<long>> startOne, CancellationToken ct)
    {
        var latencies = new double[count];
        var first = 0L;
        var last = 0L;
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && gap > TimeSpan.Zero) await Task.Delay(gap, ct);
            var launched = Stopwatch.GetTimestamp();
            if (i == 0) first = launched;
            last = await startOne(i, ct);
            latencies[i] = Stopwatch.GetElapsedTime(launched, last).TotalMilliseconds;
        }
        Array.Sort(latencies);
        return new StartRun(name, latencies, Stopwatch.GetElapsedTime(first, last));
    }

    /// <summary>
    /// Throughput: <paramref name="count"/> pods launched at once, at most <paramref name="concurrency"/> in flight (the
    /// rest wait, and that wait counts in their latency).
    /// </summary>
    public static async Task<StartRun> BurstAsync(string name, int count, int concurrency, Func<int, CancellationToken, Task<long>> startOne, CancellationToken ct)
    {
        using var slots = new SemaphoreSlim(concurrency);
        var launched = Stopwatch.GetTimestamp();
        var done = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await slots.WaitAsync(ct);
            try { return await startOne(i, ct); }
            finally { slots.Release(); }
        }, ct)));
        var latencies = done.Select(t => Stopwatch.GetElapsedTime(launched, t).TotalMilliseconds).Order().ToArray();
        return new StartRun(name, latencies, Stopwatch.GetElapsedTime(launched, done.Max()));
    }
}
