using System.Runtime.CompilerServices;
using Navarch.Api.Resources;
using Navarch.ApiServer.Storage;
using Navarch.Storage;

namespace Navarch.ApiServer.Encryption;

/// <summary>
/// A store in front of another that encrypts the values of the resources the encryption configuration names on every
/// write and decrypts them on every read, list and watch event (upstream's transformers, at the storage layer): the
/// watch cache and every handler above see plain values, the backend (the SQLite file, etcd) only ciphertext. Keys,
/// revisions and every other resource pass through unchanged.
/// </summary>
public sealed class EncryptingStore(IStore inner, IReadOnlyDictionary<ResourceType, ValueTransformer> transformers) : IStore, IStoreHealth
{
    public IStore Inner => inner;

    /// <summary>Whether the stored value of <paramref name="key"/> was written by a provider other than the first, so an
    /// unchanged update must still be written (upstream's stale-read check that makes key rotation work).</summary>
    public async ValueTask<bool> IsStaleAsync(string key, CancellationToken ct)
    {
        if (TransformerOf(key) is not { } transformer) return false;
        var entry = await inner.GetAsync(key, ct).ConfigureAwait(false);
        return entry is not null && entry.Value.Length > 0 && transformer.IsStale(entry.Value.Span, key);
    }

    public ValueTask<long> GetRevisionAsync(CancellationToken ct = default) => inner.GetRevisionAsync(ct);

    public async ValueTask<StoreEntry?> GetAsync(string key, CancellationToken ct = default) =>
        Decrypt(await inner.GetAsync(key, ct).ConfigureAwait(false));

    public async ValueTask<StoreList> ListAsync(string prefix, ListOptions options, CancellationToken ct = default)
    {
        var list = await inner.ListAsync(prefix, options, ct).ConfigureAwait(false);
        return list with { Entries = list.Entries.Select(e => Decrypt(e)!).ToList() };
    }

    public ValueTask<long> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct = default) =>
        inner.CreateAsync(key, Encrypt(key, value), ct);

    public ValueTask<long> UpdateAsync(string key, ReadOnlyMemory<byte> value, long expectedRevision, CancellationToken ct = default) =>
        inner.UpdateAsync(key, Encrypt(key, value), expectedRevision, ct);

    public ValueTask<long> DeleteAsync(string key, long expectedRevision, CancellationToken ct = default) =>
        inner.DeleteAsync(key, expectedRevision, ct);

    public async IAsyncEnumerable<StoreEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in inner.WatchAsync(prefix, afterRevision, ct).ConfigureAwait(false))
            yield return e.Type == StoreEventType.Progress ? e : e with { Entry = Decrypt(e.Entry)! };
    }

    public ValueTask CompactAsync(long revision, CancellationToken ct = default) => inner.CompactAsync(revision, ct);

    public ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct = default) => inner.GetCompactedRevisionAsync(ct);

    public ValueTask<string?> CheckAsync(CancellationToken ct = default) =>
        inner is IStoreHealth health ? health.CheckAsync(ct) : ValueTask.FromResult<string?>(null);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private ValueTransformer? TransformerOf(string key) =>
        ObjectKeys.ResourceOf(key) is { } rt ? transformers.GetValueOrDefault(rt) : null;

    private ReadOnlyMemory<byte> Encrypt(string key, ReadOnlyMemory<byte> value) =>
        TransformerOf(key) is { } transformer ? transformer.Write(value.Span, key) : value;

    private StoreEntry? Decrypt(StoreEntry? entry)
    {
        if (entry is null || entry.Value.Length == 0 || TransformerOf(entry.Key) is not { } transformer) return entry;
        return entry with { Value = transformer.Read(entry.Value.Span, entry.Key, out _) };
    }
}
