using System.Diagnostics;

namespace Navarch.Bench.Api;

/// <summary>What the watch fan-out measured.</summary>
/// <param name="Watchers">Watch connections that were open when the first update was sent.</param>
/// <param name="Setup">Time to open them all.</param>
/// <param name="FirstReceived">Watchers that got the single update's event before the timeout.</param>
/// <param name="P50Ms">Median time from sending the update to a watcher reading its event.</param>
/// <param name="P99Ms">99th percentile of the same.</param>
/// <param name="MaxMs">Until the last watcher had it.</param>
/// <param name="BurstEvents">Events delivered during the burst of updates (watchers × updates when all arrived).</param>
/// <param name="BurstElapsed">From the first update of the burst until the last watcher read the last event.</param>
internal sealed record WatchResult(int Watchers, TimeSpan Setup, int FirstReceived, double P50Ms, double P99Ms, double MaxMs, int BurstEvents, int BurstExpected, TimeSpan BurstElapsed)
{
    public double BurstPerSecond => BurstEvents / BurstElapsed.TotalSeconds;
}

/// <summary>
/// Many watch connections on one namespace holding one pod. One update measures how long every watcher
/// waits for its event; a burst of updates then measures how many events per second the server fans out.
/// </summary>
internal sealed class WatchFanout(HttpClient http, PodClient client, string ns, string pod)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(15);
    private const int OpenBatch = 100; // below Kestrel's listen backlog, so no connection waits for a SYN retry

    // Each watcher's receipt times (Stopwatch ticks) of MODIFIED events and how many it has read; both
    // written only by that watcher's reader task, the count last, so a reader of the count sees the times.
    private long[][] _received = [];
    private int[] _counts = [];
    private int _delivered;
    private int _target;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<WatchResult> RunAsync(int watchers, int burst, CancellationToken ct)
    {
        var (_, rv) = PodClient.ListFacts(await client.ListPodsAsync(ns, ct));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _received = Enumerable.Range(0, watchers).Select(_ => new long[1 + burst]).ToArray();
        _counts = new int[watchers];
        var readers = new List<Task>(watchers);
        var opening = Stopwatch.StartNew();
        try
        {
            for (var first = 0; first < watchers; first += OpenBatch)
            {
                var opened = Enumerable.Range(first, Math.Min(OpenBatch, watchers - first)).Select(i => OpenAsync(i, rv, stop.Token)).ToList();
                readers.AddRange(await Task.WhenAll(opened));
            }
            var setup = opening.Elapsed;

            var sent = Stopwatch.GetTimestamp();
            await client.PatchPodLabelAsync(ns, pod, "single", ct);
            await WaitForAsync(watchers);
            var firstLatencies = Enumerable.Range(0, watchers).Where(i => Count(i) > 0)
                .Select(i => Stopwatch.GetElapsedTime(sent, _received[i][0]).TotalMilliseconds).Order().ToArray();

            var burstStart = Stopwatch.GetTimestamp();
            for (var u = 0; u < burst; u++) await client.PatchPodLabelAsync(ns, pod, $"burst-{u}", ct);
            await WaitForAsync(watchers * (1 + burst));
            var counts = Enumerable.Range(0, watchers).Select(Count).ToArray();
            var last = Enumerable.Range(0, watchers).Where(i => counts[i] > 1).Select(i => _received[i][counts[i] - 1]).DefaultIfEmpty(Stopwatch.GetTimestamp()).Max();
            var burstEvents = counts.Sum(c => Math.Max(0, c - 1));

            return new WatchResult(watchers, setup, firstLatencies.Length,
                Bench.LoadRun.Percentile(firstLatencies, 0.50), Bench.LoadRun.Percentile(firstLatencies, 0.99), firstLatencies.LastOrDefault(double.NaN),
                burstEvents, watchers * burst, Stopwatch.GetElapsedTime(burstStart, last));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers.Select(r => r.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default)));
        }
    }

    private int Count(int watcher) => Volatile.Read(ref _counts[watcher]);

    /// <summary>Waits until <paramref name="total"/> events have been read in all, or the timeout (then some are missing).</summary>
    private async Task WaitForAsync(int total)
    {
        lock (_received)
        {
            _target = total;
            if (_delivered >= total) return;
            _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        await Task.WhenAny(_reached.Task, Task.Delay(EventTimeout));
    }

    /// <summary>Opens watcher <paramref name="index"/>; once its headers arrived, returns the task that reads its events.</summary>
    private async Task<Task> OpenAsync(int index, string rv, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/pods?watch=true&resourceVersion={rv}&timeoutSeconds=300");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        return ReadAsync(index, request, response, ct);
    }

    private async Task ReadAsync(int index, HttpRequestMessage request, HttpResponseMessage response, CancellationToken ct)
    {
        using (request)
        using (response)
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (!line.StartsWith("{\"type\":\"MODIFIED\"", StringComparison.Ordinal)) continue;
                var seen = _counts[index];
                if (seen == _received[index].Length) continue; // more events than updates sent: not ours to time
                _received[index][seen] = Stopwatch.GetTimestamp();
                Volatile.Write(ref _counts[index], seen + 1);
                var delivered = Interlocked.Increment(ref _delivered);
                lock (_received)
                    if (delivered >= _target) _reached.TrySetResult();
            }
        }
    }
}
