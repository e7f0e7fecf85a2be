namespace Navarch.Storage;

/// <summary>Read-modify-write on top of <see cref="IStore"/>, retried on conflicts (upstream's GuaranteedUpdate).</summary>
public static class GuaranteedUpdateExtensions
{
    /// <summary>Attempts before a conflict is given up and thrown to the caller.</summary>
    public const int MaxAttempts = 16;

    /// <summary>
    /// Reads <paramref name="key"/>, calls <paramref name="tryUpdate"/> with the current entry (null when absent)
    /// and writes what it returns on the condition that nothing changed since the read: an update at the read
    /// revision, or a create when the key was absent. On Conflict (or a create/delete racing it) it reads again
    /// and calls <paramref name="tryUpdate"/> again, so <paramref name="tryUpdate"/> may run more than once and
    /// must not have side effects. <paramref name="tryUpdate"/> returns null for "no change" (nothing is written
    /// and the current entry is returned) and may throw to abort, e.g. a NotFound of its own when the key must exist.
    /// Returns the entry as written. After <see cref="MaxAttempts"/> lost races it throws the last one's error
    /// (Conflict, or Exists/NotFound when the key was created or deleted under it).
    /// </summary>
    public static async ValueTask<StoreEntry?> GuaranteedUpdateAsync(this IStore store, string key,
        Func<StoreEntry?, ValueTask<byte[]?>> tryUpdate, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            var current = await store.GetAsync(key, ct).ConfigureAwait(false);
            var updated = await tryUpdate(current).ConfigureAwait(false);
            if (updated is null)
                return current;
            try
            {
                if (current is null)
                {
                    var created = await store.CreateAsync(key, updated, ct).ConfigureAwait(false);
                    return new StoreEntry(key, updated, created, created);
                }
                var revision = await store.UpdateAsync(key, updated, current.Revision, ct).ConfigureAwait(false);
                return new StoreEntry(key, updated, revision, current.CreateRevision);
            }
            catch (StorageException e) when (attempt < MaxAttempts && IsLostRace(e.Code))
            {
                // Someone wrote in between; read their value and try again.
            }
        }
    }

    private static bool IsLostRace(StorageErrorCode code) =>
        code is StorageErrorCode.Conflict or StorageErrorCode.Exists or StorageErrorCode.NotFound;
}
