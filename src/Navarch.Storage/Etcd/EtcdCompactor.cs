using System.Globalization;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Navarch.Storage.Etcd;

/// <summary>
/// Compacts etcd's history as upstream's API server does (k8s.io/apiserver storage/etcd3/compact.go): every interval it
/// bumps <c>compact_rev_key</c> in a transaction that expects the version it last saw, and only the winner compacts, to the
/// revision the previous round observed. So one interval of history survives, and of several API servers on one etcd one
/// compacts per interval (the others learn the key's version and try next time). The key holds the last compacted revision,
/// which is also what <see cref="GetCompactedRevisionAsync"/> reports.
/// </summary>
internal sealed class EtcdCompactor(KV.KVClient kv, EtcdStoreOptions options, TimeProvider time) : IAsyncDisposable
{
    /// <summary>Upstream's key, outside any prefix: every API server sharing the etcd coordinates through it.</summary>
    public static readonly ByteString CompactRevisionKey = ByteString.CopyFromUtf8("compact_rev_key");

    private readonly CancellationTokenSource _stop = new();
    private Task _background = Task.CompletedTask;
    private long _compacted; // the newest compaction this store made or saw; etcd may know a newer one

    /// <summary>Raised after each background round with the error that stopped it, if any.</summary>
    internal event Action<Exception?>? RoundFinished;

    public void Start()
    {
        if (options.CompactionInterval != Timeout.InfiniteTimeSpan)
            _background = RunAsync(new PeriodicTimer(options.CompactionInterval, time));
    }

    /// <summary>Compacts to <paramref name="revision"/> (capped at the newest); does nothing at or below the compacted revision.</summary>
    public async Task<bool> CompactAsync(long revision, CancellationToken ct)
    {
        var current = await kv.RangeAsync(new RangeRequest { Key = CompactRevisionKey }, Call(ct)).ResponseAsync.ConfigureAwait(false);
        revision = Math.Min(revision, current.Header.Revision);
        if (revision <= Math.Max(Volatile.Read(ref _compacted), Value(current)))
            return false;
        await PhysicalCompactAsync(revision, ct).ConfigureAwait(false);
        return true;
    }

    public async Task<long> GetCompactedRevisionAsync(CancellationToken ct)
    {
        var current = await kv.RangeAsync(new RangeRequest { Key = CompactRevisionKey }, Call(ct)).ResponseAsync.ConfigureAwait(false);
        return Math.Max(Volatile.Read(ref _compacted), Value(current));
    }

    /// <summary>One round of upstream's algorithm: returns the key's version and the revision to compact to next round.</summary>
    internal async Task<(long Version, long Revision)> RoundAsync(long version, long revision, CancellationToken ct)
    {
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = CompactRevisionKey, Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = version } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = CompactRevisionKey, Value = ByteString.CopyFromUtf8(revision.ToString(CultureInfo.InvariantCulture)) } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = CompactRevisionKey } } },
        };
        var response = await kv.TxnAsync(txn, Call(ct)).ResponseAsync.ConfigureAwait(false);
        if (!response.Succeeded)
            return (response.Responses[0].ResponseRange.Kvs[0].Version, response.Header.Revision); // another server compacted
        if (revision > 0) // never on the first round: nothing has been observed yet
            await PhysicalCompactAsync(revision, ct).ConfigureAwait(false);
        return (version + 1, response.Header.Revision);
    }

    private async Task PhysicalCompactAsync(long revision, CancellationToken ct)
    {
        try
        {
            await kv.CompactAsync(new CompactionRequest { Revision = revision }, Call(ct)).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (EtcdErrors.ToStorage(e, "") is { Code: StorageErrorCode.Compacted })
        {
            // Someone compacted at or past it already.
        }
        InterlockedMax(ref _compacted, revision);
    }

    private async Task RunAsync(PeriodicTimer timer)
    {
        using var _ = timer;
        long version = 0, revision = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Exception? error = null;
                try
                {
                    (version, revision) = await RoundAsync(version, revision, _stop.Token).ConfigureAwait(false);
                }
                catch (RpcException e) when (!_stop.IsCancellationRequested)
                {
                    error = EtcdErrors.ToStorage(e, ""); // the next round tries again
                }
                RoundFinished?.Invoke(error);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (RpcException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private CallOptions Call(CancellationToken ct) => new(deadline: DateTime.UtcNow + options.RequestTimeout, cancellationToken: ct);

    private static long Value(RangeResponse response) =>
        response.Kvs.Count == 1 && long.TryParse(response.Kvs[0].Value.ToStringUtf8(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
                return;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _background.ConfigureAwait(false);
        _stop.Dispose();
    }
}
