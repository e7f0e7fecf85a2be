namespace Navarch.Storage;

/// <summary>
/// What a store knows of its own health, for the API server's <c>/readyz</c>. Stores that cannot tell
/// (the in-memory one) do not implement it and count as healthy.
/// </summary>
public interface IStoreHealth
{
    /// <summary>
    /// Null while writes and background maintenance (compaction) work; otherwise why not, in one line, for logs
    /// and operators rather than clients. While writes fail, a call may try one small write of its own (bounded by
    /// <paramref name="ct"/>), so that health comes back once the cause is gone even when no client writes.
    /// Never throws for a store failure.
    /// </summary>
    ValueTask<string?> CheckAsync(CancellationToken ct = default);
}
