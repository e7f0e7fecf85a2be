using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Navarch.Bench.Scheduler;

/// <summary>
/// Watches the pods of one namespace and notes when the expected number of them is bound (spec.nodeName set),
/// so "all bound" is what a client of the API sees, not what the binder believes.
/// </summary>
internal sealed class BoundWatch : IAsyncDisposable
{
    private readonly HashSet<string> _bound = [];
    private readonly TaskCompletionSource<long> _allBound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _expected;
    private Task _run = Task.CompletedTask;

    private BoundWatch(int expected) => _expected = expected;

    public int Bound { get { lock (_bound) return _bound.Count; } }

    /// <summary>Starts watching <paramref name="ns"/> from now; returns once the watch is open.</summary>
    public static async Task<BoundWatch> StartAsync(IKubernetes client, string ns, int expected, CancellationToken ct)
    {
        var watch = new BoundWatch(expected);
        var rv = (await client.CoreV1.ListNamespacedPodAsync(ns, limit: 1, cancellationToken: ct)).Metadata.ResourceVersion;
        var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, watch._stop.Token);
        watch._run = Task.Run(async () =>
        {
            try
            {
                await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: rv, timeoutSeconds: 600, cancellationToken: linked.Token))
                {
                    if (type is not (WatchEventType.Added or WatchEventType.Modified) || string.IsNullOrEmpty(pod.Spec?.NodeName)) continue;
                    lock (watch._bound)
                    {
                        if (watch._bound.Add(pod.Metadata.Name) && watch._bound.Count == watch._expected) watch._allBound.TrySetResult(Stopwatch.GetTimestamp());
                    }
                }
                watch._allBound.TrySetException(new InvalidOperationException("the watch ended early"));
            }
            catch (OperationCanceledException)
            {
                watch._allBound.TrySetCanceled();
            }
            catch (Exception e)
            {
                watch._allBound.TrySetException(e);
            }
            finally
            {
                linked.Dispose();
            }
        }, CancellationToken.None);
        return watch;
    }

    /// <summary>The Stopwatch timestamp at which the last expected pod was seen bound; throws after <paramref name="timeout"/>.</summary>
    public async Task<long> AllBoundAsync(TimeSpan timeout)
    {
        try
        {
            return await _allBound.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"only {Bound} of {_expected} pods were bound within {timeout.TotalSeconds:0} s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _run; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
