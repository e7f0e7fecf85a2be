using System.Text;
using Navarch.Storage;

namespace Navarch.ApiServer.Allocation;

/// <summary>
/// Hands out the members of a numbered range (cluster IPs, node ports), each at most once. An allocation
/// is a store key created-if-absent, so two owners can never hold one member, also across a restart or a
/// kill -9; the in-memory set only speeds up picking a free member.
/// </summary>
public sealed class RangeAllocator(IStore store, string keyPrefix, long size, Func<long, string> format)
{
    // Guards _used, our picture of which offsets the store holds.
    private readonly object _lock = new();
    private readonly HashSet<long> _used = [];

    public long Size => size;

    /// <summary>Reads the allocations in the store; returns the owner recorded for each member.</summary>
    public async Task<IReadOnlyDictionary<string, string>> LoadAsync(CancellationToken ct)
    {
        var list = await store.ListAsync(keyPrefix, new ListOptions(), ct);
        var owners = new Dictionary<string, string>();
        lock (_lock)
        {
            _used.Clear();
            foreach (var e in list.Entries)
            {
                var member = e.Key[keyPrefix.Length..];
                owners[member] = Encoding.UTF8.GetString(e.Value.Span);
            }
        }
        return owners;
    }

    /// <summary>Marks <paramref name="offset"/> as taken in memory (start-up, after <see cref="LoadAsync"/>).</summary>
    public void MarkUsed(long offset)
    {
        lock (_lock) _used.Add(offset);
    }

    /// <summary>Takes <paramref name="offset"/> for <paramref name="owner"/>; false when someone holds it.</summary>
    public async Task<bool> TryAllocateAsync(long offset, string owner, CancellationToken ct)
    {
        try
        {
            await store.CreateAsync(Key(offset), Encoding.UTF8.GetBytes(owner), ct);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.Exists)
        {
            MarkUsed(offset);
            return false;
        }
        MarkUsed(offset);
        return true;
    }

    /// <summary>Takes a free member chosen at random; null when the range is full.</summary>
    public async Task<long?> AllocateAnyAsync(string owner, CancellationToken ct)
    {
        var start = Random.Shared.NextInt64(size);
        for (long i = 0; i < size; i++)
        {
            var offset = (start + i) % size;
            bool free;
            lock (_lock) free = !_used.Contains(offset);
            if (free && await TryAllocateAsync(offset, owner, ct)) return offset;
        }
        return null;
    }

    public async Task ReleaseAsync(long offset, CancellationToken ct)
    {
        try
        {
            await store.DeleteAsync(Key(offset), 0, ct);
        }
        catch (StorageException e) when (e.Code == StorageErrorCode.NotFound)
        {
        }
        lock (_lock) _used.Remove(offset);
    }

    private string Key(long offset) => keyPrefix + format(offset);
}
