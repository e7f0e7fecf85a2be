using System.Diagnostics;

namespace Navarch.Testing;

/// <summary>
/// Waits for a condition with a deadline instead of sleeping a fixed time; a timeout fails with the phase
/// that was being waited for and the last thing seen.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Calls <paramref name="probe"/> until it returns true; throws <see cref="TimeoutException"/> naming <paramref name="phase"/>.</summary>
    public static async Task UntilAsync(string phase, Func<Task<bool>> probe, TimeSpan? timeout = null, Func<string>? lastSeen = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await probe()) return;
            if (clock.Elapsed > limit)
                throw new TimeoutException($"timed out after {limit.TotalSeconds:0.#} s waiting for: {phase}{(lastSeen is null ? "" : $"\nlast seen:\n{lastSeen()}")}");
            await Task.Delay(Interval);
        }
    }

    /// <summary>Calls <paramref name="probe"/> until it returns something; returns that (a timeout names <paramref name="phase"/>).</summary>
    public static async Task<T> ResultAsync<T>(string phase, Func<Task<T?>> probe, TimeSpan? timeout = null) where T : class
    {
        T? result = null;
        await UntilAsync(phase, async () => (result = await probe()) is not null, timeout);
        return result!;
    }

    /// <summary>Synchronous-probe form of <see cref="UntilAsync(string, Func{Task{bool}}, TimeSpan?, Func{string}?)"/>.</summary>
    public static Task UntilAsync(string phase, Func<bool> probe, TimeSpan? timeout = null, Func<string>? lastSeen = null) =>
        UntilAsync(phase, () => Task.FromResult(probe()), timeout, lastSeen);
}
