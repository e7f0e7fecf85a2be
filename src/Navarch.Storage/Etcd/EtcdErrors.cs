using Grpc.Core;

namespace Navarch.Storage.Etcd;

/// <summary>The one place where etcd's and gRPC's failures become <see cref="StorageException"/>.</summary>
internal static class EtcdErrors
{
    /// <summary>Runs one etcd call; its failures become <see cref="StorageException"/>, except a cancellation of <paramref name="ct"/>.</summary>
    public static async Task<T> TranslateAsync<T>(string key, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && ToStorage(e, key) is { } mapped)
        {
            throw mapped;
        }
        catch (RpcException e) when (ct.IsCancellationRequested && e.StatusCode == StatusCode.Cancelled)
        {
            throw new OperationCanceledException(ct);
        }
    }

    /// <summary>The <see cref="StorageException"/> for <paramref name="e"/>, or null when it is not a storage failure.</summary>
    public static StorageException? ToStorage(Exception e, string key) => e switch
    {
        StorageException storage => storage,
        // "mvcc: required revision has been compacted" (a read or watch of history etcd no longer holds).
        RpcException { StatusCode: StatusCode.OutOfRange } rpc when rpc.Status.Detail.Contains("compacted", StringComparison.Ordinal) =>
            new StorageException(StorageErrorCode.Compacted, key, $"etcd: {rpc.Status.Detail}", rpc),
        RpcException { StatusCode: StatusCode.DeadlineExceeded } rpc =>
            new StorageException(StorageErrorCode.Unavailable, key, $"etcd did not answer in time (no quorum or no reachable member): {rpc.Status.Detail}", rpc),
        RpcException rpc => new StorageException(StorageErrorCode.Unavailable, key, $"etcd failed ({rpc.StatusCode}): {rpc.Status.Detail}", rpc),
        HttpRequestException or IOException or ObjectDisposedException =>
            new StorageException(StorageErrorCode.Unavailable, key, $"etcd is unreachable: {e.Message}", e),
        _ => null,
    };

    public static StorageException Compacted(string key, long compactRevision) =>
        new(StorageErrorCode.Compacted, key, $"etcd: the requested revision has been compacted (compacted revision {compactRevision})");
}
