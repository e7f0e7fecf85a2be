using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Navarch.Bench.Agent;

/// <summary>
/// Watches the pods of one namespace through the API, as any client would, and notes for each pod the moment
/// (a <see cref="Stopwatch"/> timestamp) its first event with <c>status.phase</c> = Running arrived.
/// </summary>
internal sealed class RunningWatch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _running = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    /// <summary>Starts watching <paramref name="ns"/> from now; returns once the watch request is sent.</summary>
    public static async Task<RunningWatch> StartAsync(IKubernetes client, string ns, CancellationToken ct)
    {
        var watch = new RunningWatch();
        var rv = (await client.CoreV1.ListNamespacedPodAsync(ns, limit: 1, cancellationToken: ct)).Metadata.ResourceVersion;
        var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, watch._stop.Token);
        watch._run = Task.Run(async () =>
        {
            try
            {
                await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(ns, resourceVersion: rv, timeoutSeconds: 600, cancellationToken: linked.Token))
                {
                    var seen = Stopwatch.GetTimestamp();
                    if (type is WatchEventType.Added or WatchEventType.Modified && pod.Status?.Phase == "Running")
                        watch.Entry(pod.Metadata.Name).TrySetResult(seen);
                }
                watch.FailAll(new InvalidOperationException("the watch ended early"));
            }
            catch (OperationCanceledException)
            {
                watch.FailAll(new OperationCanceledException("the watch was stopped"));
            }
            catch (Exception e)
            {
                watch.FailAll(e);
            }
            finally
            {
                linked.Dispose();
            }
        }, CancellationToken.None);
        return watch;
    }

    /// <summary>When pod <paramref name="name"/> was first seen Running; throws after <paramref name="timeout"/> naming the pod.</summary>
    public async Task<long> RunningAtAsync(string name, TimeSpan timeout)
    {
        try
        {
            return await Entry(name).Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"pod {name} was not seen Running within {timeout.TotalSeconds:0} s");
        }
    }

    private TaskCompletionSource<long> Entry(string name) =>
        _running.GetOrAdd(name, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));

    private void FailAll(Exception e)
    {
        foreach (var tcs in _running.Values) tcs.TrySetException(e);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _run; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
