using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Mvccpb;

namespace Navarch.Storage.Etcd;

/// <summary>
/// The distributed <see cref="IStore"/>: etcd v3 through the gRPC clients of dotnet-etcd. A store revision is etcd's
/// revision (a key's <c>mod_revision</c> is its resourceVersion); creates, updates and deletes are transactions that compare
/// <c>create_revision</c>/<c>mod_revision</c> first, so several API servers can share one etcd. Values are stored as given
/// (JSON), keys as upstream lays them out (see <see cref="EtcdKeySpace"/>). Writes return once etcd has committed them to a
/// quorum. Every failure is translated by <see cref="EtcdErrors"/>.
/// </summary>
public sealed class EtcdStore : IStore
{
    private readonly EtcdStoreOptions _options;
    private readonly GrpcChannel _channel;
    private readonly KV.KVClient _kv;
    private readonly EtcdKeySpace _keys;
    private readonly EtcdWatcher _watcher;
    private readonly EtcdCompactor _compactor;
    private int _disposed;

    private EtcdStore(EtcdStoreOptions options, GrpcChannel channel, TimeProvider time)
    {
        _options = options;
        _channel = channel;
        _kv = new KV.KVClient(channel);
        _keys = new EtcdKeySpace(options.KeyRoot, options.Prefix);
        _compactor = new EtcdCompactor(_kv, options, time);
        _watcher = new EtcdWatcher(new Etcdserverpb.Watch.WatchClient(channel), _keys, options, time, _compactor.GetCompactedRevisionAsync);
    }

    /// <summary>
    /// Connects to the members in <paramref name="options"/> and checks that one answers within the request timeout; starts the
    /// background compactor (timed by <paramref name="time"/>, the system clock when null). Throws <see cref="ArgumentException"/>
    /// for invalid options and <see cref="StorageErrorCode.Unavailable"/> when no member answers.
    /// </summary>
    public static async Task<EtcdStore> OpenAsync(EtcdStoreOptions options, TimeProvider? time = null, CancellationToken ct = default)
    {
        options.Validate();
        var store = new EtcdStore(options, EtcdChannel.Create(options), time ?? TimeProvider.System);
        try
        {
            await store.GetRevisionAsync(ct).ConfigureAwait(false);
            store._compactor.Start();
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Raised after each background compaction round with the error that stopped it, if any.</summary>
    internal event Action<Exception?>? CompactionRoundFinished
    {
        add => _compactor.RoundFinished += value;
        remove => _compactor.RoundFinished -= value;
    }

    public async ValueTask<long> GetRevisionAsync(CancellationToken ct = default)
    {
        var response = await ReadAsync("", o => _kv.RangeAsync(new RangeRequest { Key = EtcdCompactor.CompactRevisionKey, CountOnly = true }, o), ct)
            .ConfigureAwait(false);
        _watcher.WantProgress(response.Header.Revision); // a reader may now wait for the watch to reach it
        return response.Header.Revision;
    }

    public async ValueTask<StoreEntry?> GetAsync(string key, CancellationToken ct = default)
    {
        var response = await ReadAsync(key, o => _kv.RangeAsync(new RangeRequest { Key = _keys.ToEtcd(key) }, o), ct).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : Entry(response.Kvs[0]);
    }

    public async ValueTask<StoreList> ListAsync(string prefix, ListOptions options, CancellationToken ct = default)
    {
        if (_keys.Range(prefix) is not var (start, end))
            return new StoreList([], await GetRevisionAsync(ct).ConfigureAwait(false), false);
        if (options.After is { } after && string.CompareOrdinal(after, prefix) >= 0)
            start = ByteString.CopyFrom([.. _keys.ToEtcd(after).Span, 0]); // the next key after it
        // A range at a past revision reads etcd's MVCC history; below the compacted revision etcd answers OutOfRange "compacted".
        var request = new RangeRequest { Key = start, RangeEnd = end, Limit = options.Limit, Revision = options.Revision };
        var response = await ReadAsync(prefix, o => _kv.RangeAsync(request, o), ct).ConfigureAwait(false);
        var revision = options.Revision > 0 ? options.Revision : response.Header.Revision;
        return new StoreList(response.Kvs.Select(Entry).ToList(), revision, response.More);
    }

    public async ValueTask<long> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default)
    {
        var etcdKey = _keys.ToEtcd(key);
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = etcdKey, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = etcdKey, Value = Unsafe(value) } } },
        };
        var response = await CallAsync(key, o => _kv.TxnAsync(txn, o), ct).ConfigureAwait(false);
        return response.Succeeded ? response.Header.Revision : throw new StorageException(StorageErrorCode.Exists, key);
    }

    public ValueTask<long> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken ct = default)
    {
        var etcdKey = _keys.ToEtcd(key);
        return WriteExistingAsync(key, etcdKey, expectedRevision,
            new RequestOp { RequestPut = new PutRequest { Key = etcdKey, Value = Unsafe(value) } }, ct);
    }

    public ValueTask<long> DeleteAsync(string key, long expectedRevision, CancellationToken ct = default)
    {
        var etcdKey = _keys.ToEtcd(key);
        return WriteExistingAsync(key, etcdKey, expectedRevision, new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = etcdKey } }, ct);
    }

    /// <summary>Runs <paramref name="write"/> if the key exists (at <paramref name="expectedRevision"/> when not 0); when the
    /// comparison fails the same transaction reads the key, which tells NotFound from Conflict without a second round trip.</summary>
    private async ValueTask<long> WriteExistingAsync(string key, ByteString etcdKey, long expectedRevision, RequestOp write, CancellationToken ct)
    {
        var precondition = expectedRevision == 0
            ? new Compare { Key = etcdKey, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Greater, CreateRevision = 0 }
            : new Compare { Key = etcdKey, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = expectedRevision };
        var txn = new TxnRequest
        {
            Compare = { precondition },
            Success = { write },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = etcdKey, KeysOnly = true } } },
        };
        var response = await CallAsync(key, o => _kv.TxnAsync(txn, o), ct).ConfigureAwait(false);
        if (response.Succeeded)
            return response.Header.Revision;
        var current = response.Responses[0].ResponseRange.Kvs;
        throw current.Count == 0
            ? new StorageException(StorageErrorCode.NotFound, key)
            : new StorageException(StorageErrorCode.Conflict, key,
                $"Conflict: {key} is at revision {current[0].ModRevision}, not {expectedRevision}");
    }

    public IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, CancellationToken ct = default) =>
        _watcher.WatchAsync(prefix, afterRevision, ct);

    public async ValueTask CompactAsync(long revision, CancellationToken ct = default) =>
        await EtcdErrors.TranslateAsync("", () => _compactor.CompactAsync(revision, ct), ct).ConfigureAwait(false);

    public async ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct = default) =>
        await EtcdErrors.TranslateAsync("", () => _compactor.GetCompactedRevisionAsync(ct), ct).ConfigureAwait(false);

    /// <summary>The value without a copy: it is only read, while the call serializes it (callers do not change it meanwhile).</summary>
    private static ByteString Unsafe(ReadOnlyMemory<byte> value) => UnsafeByteOperations.UnsafeWrap(value);

    private StoreEntry Entry(KeyValue kv) => new(_keys.FromEtcd(kv.Key), kv.Value.Memory, kv.ModRevision, kv.CreateRevision);

    /// <summary>One call within the request timeout. Writes are never retried: one that lost its member may have applied.</summary>
    private Task<T> CallAsync<T>(string key, Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken ct) =>
        EtcdErrors.TranslateAsync(key, async () => await call(new CallOptions(
            deadline: DateTime.UtcNow + _options.RequestTimeout, cancellationToken: ct)).ResponseAsync.ConfigureAwait(false), ct);

    /// <summary>A read, tried again on another member when the connection to one fails (reads are linearizable on any member),
    /// all within the request timeout.</summary>
    private Task<T> ReadAsync<T>(string key, Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken ct) =>
        EtcdErrors.TranslateAsync(key, async () =>
        {
            var deadline = DateTime.UtcNow + _options.RequestTimeout;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await call(new CallOptions(deadline: deadline, cancellationToken: ct)).ResponseAsync.ConfigureAwait(false);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && attempt < 3 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), ct).ConfigureAwait(false);
                }
            }
        }, ct);

    /// <summary>Stops the compactor, ends every watch with Unavailable and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _compactor.DisposeAsync().ConfigureAwait(false);
        await _watcher.DisposeAsync().ConfigureAwait(false);
        _channel.Dispose();
    }
}
