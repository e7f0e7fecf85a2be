using System.Text;

namespace Navarch.Storage.Tests;

/// <summary>Reads a watch one event at a time, failing with the phase it was waiting for instead of hanging.</summary>
internal sealed class WatchProbe : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _cts = new();
    private readonly IAsyncEnumerator<StoreEvent> _events;
    private Task<bool> _pending = Task.FromResult(false); // an iterator must not be disposed while MoveNext runs

    public WatchProbe(IStore store, string prefix, long afterRevision)
    {
        _events = store.WatchAsync(prefix, afterRevision, _cts.Token).GetAsyncEnumerator(_cts.Token);
    }

    public CancellationTokenSource Cancellation => _cts;

    public async Task<StoreEvent> NextAsync(string phase)
    {
        var moved = await Within(Move(), phase);
        Assert.True(moved, $"The watch ended while waiting for: {phase}");
        return _events.Current;
    }

    /// <summary>Asserts the next event, described as "Type key=value@revision".</summary>
    public async Task ExpectAsync(string expected, string phase) => Assert.Equal(expected, Describe(await NextAsync(phase)));

    /// <summary>The exception the watch ends with while waiting for <paramref name="phase"/>.</summary>
    public async Task<Exception> FailureAsync(string phase)
    {
        try
        {
            while (await Within(Move(), phase))
            {
            }
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException($"The watch ended without an error while waiting for: {phase}");
    }

    /// <summary>The next change, skipping Progress events (they carry no key; etcd sends them when a reader waits for a revision).</summary>
    private Task<bool> Move() => _pending = MoveToChangeAsync();

    private async Task<bool> MoveToChangeAsync()
    {
        while (await _events.MoveNextAsync())
        {
            if (_events.Current.Type != StoreEventType.Progress)
                return true;
        }
        return false;
    }

    public static string Describe(StoreEvent e) =>
        $"{e.Type} {e.Entry.Key}={Encoding.UTF8.GetString(e.Entry.Value.Span)}@{e.Entry.Revision}";

    public static async Task<T> Within<T>(Task<T> task, string phase)
    {
        try
        {
            return await task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Timeout.TotalSeconds}s waiting for: {phase}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _pending;
        }
        catch (Exception)
        {
            // Cancelled or failed: either way the iterator is idle now.
        }
        await _events.DisposeAsync();
        _cts.Dispose();
    }
}
