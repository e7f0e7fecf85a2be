using System.Threading.Channels;

namespace Navarch.Storage.Watch;

/// <summary>
/// One watcher's place in the <see cref="WatchHub"/>: the recent events it must replay first (when the
/// hub's ring still holds them) and a bounded channel of live events newer than <see cref="UpToRevision"/>.
/// Disposing it unsubscribes.
/// </summary>
internal sealed class WatchSubscription : IDisposable
{
    private readonly Channel<StoreEvent> _live;
    private readonly Action<WatchSubscription> _unsubscribe;

    public WatchSubscription(string prefix, long upToRevision, IReadOnlyList<StoreEvent>? replay,
        int bufferSize, Action<WatchSubscription> unsubscribe)
    {
        Prefix = prefix;
        UpToRevision = upToRevision;
        Replay = replay;
        _unsubscribe = unsubscribe;
        _live = Channel.CreateBounded<StoreEvent>(new BoundedChannelOptions(bufferSize)
        {
            SingleReader = true,
            SingleWriter = true, // the hub writes under its lock
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping
        });
    }

    public string Prefix { get; }

    /// <summary>The hub's revision when this subscription started: live events are all newer.</summary>
    public long UpToRevision { get; }

    /// <summary>Events after the watch's start revision up to <see cref="UpToRevision"/> from the ring,
    /// or null when the ring no longer reaches back that far and the history must be read from the backend.</summary>
    public IReadOnlyList<StoreEvent>? Replay { get; }

    public ChannelReader<StoreEvent> Live => _live.Reader;

    /// <summary>Offers a live event; false when the watcher's buffer is full.</summary>
    internal bool TryDeliver(StoreEvent e) => _live.Writer.TryWrite(e);

    internal void End(Exception? error) => _live.Writer.TryComplete(error);

    public void Dispose() => _unsubscribe(this);
}
