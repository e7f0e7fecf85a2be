namespace Navarch.Controllers.PodControl;

/// <summary>
/// Upstream's slowStartBatch: run <c>count</c> calls in batches of 1, 2, 4, ... concurrently, and stop after the
/// first batch with a failure, so a quota or admission error costs one call, not hundreds.
/// </summary>
public static class SlowStart
{
    /// <summary>Returns how many calls succeeded and the first failure (null when none failed).</summary>
    public static async Task<(int Succeeded, Exception? Error)> RunAsync(int count, int initialBatch, Func<Task> call)
    {
        var succeeded = 0;
        var remaining = count;
        for (var batch = Math.Min(remaining, initialBatch); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            var tasks = Enumerable.Range(0, batch).Select(_ => Task.Run(call)).ToList();
            try { await Task.WhenAll(tasks); } catch { /* inspected below */ }
            var failed = tasks.Where(t => !t.IsCompletedSuccessfully).ToList();
            succeeded += batch - failed.Count;
            if (failed.Count > 0) return (succeeded, failed[0].Exception?.InnerException ?? new TaskCanceledException());
            remaining -= batch;
        }
        return (succeeded, null);
    }
}
