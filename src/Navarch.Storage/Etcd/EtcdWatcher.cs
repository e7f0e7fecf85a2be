using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Mvccpb;

namespace Navarch.Storage.Etcd;

/// <summary>
/// Store watches over etcd's watch streams. Each watch has its own stream, read into a bounded buffer (a watcher that
/// falls behind ends with Unavailable, as on every store). When the stream breaks (a member dies or restarts, the network
/// drops) it is opened again, on whichever member answers, from the revision after the last one delivered, so nothing is
/// missed or repeated; after <see cref="EtcdStoreOptions.RequestTimeout"/> without a working stream the watch ends with
/// Unavailable. A start revision etcd has compacted ends it with Compacted.
/// Progress: writes outside the watched prefix advance etcd's revision too, so a reader waiting for the watch to reach the
/// revision <see cref="IStore.GetRevisionAsync"/> returned would wait forever; <see cref="WantProgress"/> makes each watch
/// behind that revision ask etcd for a progress notification, delivered as a <see cref="StoreEventType.Progress"/> event.
/// </summary>
internal sealed class EtcdWatcher(Etcdserverpb.Watch.WatchClient client, EtcdKeySpace keys, EtcdStoreOptions options, TimeProvider time,
    Func<CancellationToken, Task<long>> compactedRevision) : IAsyncDisposable
{
    private static readonly TimeSpan ProgressRetry = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _closed = new();
    private long _wanted; // the newest revision a reader waits for
    private TaskCompletionSource _poke = NewPoke(); // completed and replaced when _wanted moves

    public void WantProgress(long revision)
    {
        for (var seen = Volatile.Read(ref _wanted); revision > seen; seen = Volatile.Read(ref _wanted))
        {
            if (Interlocked.CompareExchange(ref _wanted, revision, seen) == seen)
            {
                Interlocked.Exchange(ref _poke, NewPoke()).TrySetResult();
                return;
            }
        }
    }

    public async IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken ct)
    {
        var range = keys.Range(prefix) ?? throw new ArgumentException($"The prefix {prefix} is outside the store's keys.", nameof(prefix));
        var buffer = Channel.CreateBounded<StoreEvent>(new BoundedChannelOptions(options.WatchBufferSize)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, _closed.Token);
        var pump = Task.Run(() => PumpAsync(prefix, range, afterRevision, buffer.Writer, stop.Token), CancellationToken.None);
        try
        {
            while (await buffer.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) // throws what the pump ended with
            {
                while (buffer.Reader.TryRead(out var e))
                    yield return e;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(false);
        }
    }

    private async Task PumpAsync(string prefix, (ByteString Start, ByteString End) range, long after, ChannelWriter<StoreEvent> output, CancellationToken ct)
    {
        var last = after;
        try
        {
            long? failingSince = null; // when the streams started failing, since the last one that opened
            var backoff = TimeSpan.FromMilliseconds(50);
            while (true)
            {
                try
                {
                    // etcd still serves a watch from the compacted revision itself; the store's contract (and upstream's
                    // "too old resource version") wants every revision after `last`, the compacted one included.
                    if (await compactedRevision(ct).ConfigureAwait(false) is var compacted && last < compacted)
                        throw EtcdErrors.Compacted(prefix, compacted);
                    await foreach (var response in StreamAsync(range, last, () => Volatile.Read(ref last), ct).ConfigureAwait(false))
                    {
                        if (response.Created)
                        {
                            failingSince = null;
                            backoff = TimeSpan.FromMilliseconds(50);
                            continue;
                        }
                        if (response.Canceled || response.CompactRevision > 0)
                            throw response.CompactRevision > 0
                                ? EtcdErrors.Compacted(prefix, response.CompactRevision)
                                : new StorageException(StorageErrorCode.Unavailable, prefix, $"etcd cancelled the watch: {response.CancelReason}");
                        foreach (var e in Events(response))
                        {
                            if (e.Type == StoreEventType.Progress && e.Entry.Revision <= last)
                                continue;
                            if (!output.TryWrite(e))
                                throw new StorageException(StorageErrorCode.Unavailable, prefix,
                                    $"The watcher fell more than {options.WatchBufferSize} events behind; watch again from revision {last}.");
                            Volatile.Write(ref last, e.Entry.Revision);
                        }
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is RpcException or HttpRequestException or IOException)
                {
                    failingSince ??= time.GetTimestamp();
                    if (time.GetElapsedTime(failingSince.Value) > options.RequestTimeout)
                        throw EtcdErrors.ToStorage(e, prefix)!;
                }
                await Task.Delay(backoff, time, ct).ConfigureAwait(false); // the stream broke or ended: open it again from `last`
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.TicksPerSecond));
            }
        }
        catch (Exception e)
        {
            output.TryComplete(_closed.IsCancellationRequested
                ? new StorageException(StorageErrorCode.Unavailable, prefix, "The store is closed.")
                : e);
        }
    }

    /// <summary>One watch stream from <paramref name="after"/>; while it is open, asks for progress whenever a reader waits
    /// for a revision the watch has not delivered.</summary>
    private async IAsyncEnumerable<WatchResponse> StreamAsync((ByteString Start, ByteString End) range, long after, Func<long> delivered,
        [EnumeratorCancellation] CancellationToken ct)
    {
        using var call = client.Watch(cancellationToken: ct);
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = range.Start, RangeEnd = range.End, StartRevision = after + 1, PrevKv = true, ProgressNotify = true },
        }, ct).ConfigureAwait(false);
        using var streamEnd = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progress = RequestProgressAsync(call.RequestStream, delivered, streamEnd.Token);
        try
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync(ct).ConfigureAwait(false))
                yield return response;
        }
        finally
        {
            await streamEnd.CancelAsync().ConfigureAwait(false);
            await progress.ConfigureAwait(false);
        }
    }

    private async Task RequestProgressAsync(IClientStreamWriter<WatchRequest> requests, Func<long> delivered, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var poke = Volatile.Read(ref _poke).Task;
                if (Volatile.Read(ref _wanted) > delivered())
                {
                    await requests.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }, ct).ConfigureAwait(false);
                    await Task.Delay(ProgressRetry, time, ct).ConfigureAwait(false); // etcd skips it while the watch is catching up
                }
                else
                {
                    await poke.WaitAsync(ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or IOException)
        {
            // The stream broke; the reader sees it too and opens another.
        }
    }

    /// <summary>A response's events, or a progress notification (no events, not a create or cancel) as one Progress event.</summary>
    private IEnumerable<StoreEvent> Events(WatchResponse response)
    {
        if (response.Events.Count == 0)
        {
            yield return new StoreEvent(StoreEventType.Progress, new StoreEntry("", ReadOnlyMemory<byte>.Empty, response.Header.Revision, 0));
            yield break;
        }
        foreach (var e in response.Events)
        {
            var key = keys.FromEtcd(e.Kv.Key);
            if (e.Type == Event.Types.EventType.Delete)
            {
                yield return new StoreEvent(StoreEventType.Deleted, new StoreEntry(key,
                    e.PrevKv?.Value.Memory ?? ReadOnlyMemory<byte>.Empty, e.Kv.ModRevision, e.PrevKv?.CreateRevision ?? 0));
                continue;
            }
            var type = e.Kv.CreateRevision == e.Kv.ModRevision ? StoreEventType.Created : StoreEventType.Updated;
            yield return new StoreEvent(type, new StoreEntry(key, e.Kv.Value.Memory, e.Kv.ModRevision, e.Kv.CreateRevision));
        }
    }

    private static TaskCompletionSource NewPoke() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Ends every watch with Unavailable.</summary>
    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync().ConfigureAwait(false);
    }
}
