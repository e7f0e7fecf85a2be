namespace Navarch.Client.Informers;

/// <summary>What an informer tells its subscribers. Handlers must be quick (enqueue a key and return).</summary>
public sealed class EventHandlers<T>
{
    public Action<T>? OnAdd { get; init; }
    /// <summary>(old, new); also called with the same object twice on a periodic resync.</summary>
    public Action<T, T>? OnUpdate { get; init; }
    public Action<T>? OnDelete { get; init; }
}
