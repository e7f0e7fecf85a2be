using System.Threading.Channels;

namespace Navarch.ApiServer.Watching;

/// <summary>
/// One client's watch on one resource type: a bounded queue of the events that pass its filter.
/// A watcher that falls too far behind is ended (as upstream does) rather than slowing everyone down;
/// its client then re-lists.
/// </summary>
public sealed class Watcher
{
    public const int DefaultCapacity = 1000;

    private readonly Channel<CacheEvent> _events;
    private readonly Func<CachedObject, bool> _matches;
    private readonly Action<Watcher> _onDispose;

    internal Watcher(Func<CachedObject, bool> matches, Action<Watcher> onDispose, int capacity = DefaultCapacity)
    {
        _matches = matches;
        _onDispose = onDispose;
        _events = Channel.CreateBounded<CacheEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ChannelReader<CacheEvent> Events => _events.Reader;

    /// <summary>Why the watch ended early (overflow, cache re-initialised), or null.</summary>
    public string? TerminatedBecause { get; private set; }

    /// <summary>Queues <paramref name="e"/> as this watcher sees it through its filter.</summary>
    internal void Deliver(CacheEvent e)
    {
        var seen = Translate(e);
        if (seen is null) return;
        if (!_events.Writer.TryWrite(seen)) Terminate("watcher fell behind");
    }

    /// <summary>Queues an event that already passed the filter (the initial state and history replay).</summary>
    internal void DeliverUnfiltered(CacheEvent e)
    {
        if (!_events.Writer.TryWrite(e)) Terminate("watcher fell behind");
    }

    internal bool Matches(CachedObject o) => _matches(o);

    internal void Terminate(string reason)
    {
        TerminatedBecause ??= reason;
        _events.Writer.TryComplete();
    }

    public void Dispose()
    {
        _events.Writer.TryComplete();
        _onDispose(this);
    }

    private CacheEvent? Translate(CacheEvent e)
    {
        switch (e.Type)
        {
            case CacheEventType.Added:
                return _matches(e.Object) ? e : null;
            case CacheEventType.Deleted:
                return _matches(e.Object) ? e : null;
            default:
                var now = _matches(e.Object);
                var before = e.Previous is not null && _matches(e.Previous);
                if (now && before) return e;
                if (now) return e with { Type = CacheEventType.Added };
                if (before) return e with { Type = CacheEventType.Deleted };
                return null;
        }
    }
}
