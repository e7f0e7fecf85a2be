using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Client.Informers;

/// <summary>
/// Keeps a local copy of every object of one type: list, then watch from the list's resourceVersion,
/// resume from the last seen resourceVersion when the stream ends, and re-list when the server says the
/// version is gone (410) or the watch fails. Tells handlers of every change and, every resync period,
/// of every object again. Objects in the cache are shared: never change them.
/// </summary>
public sealed partial class Informer<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ListWatch<T> _listWatch;
    private readonly TimeSpan _resync;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, T> _items = new();
    // The same objects by namespace ("" for cluster-scoped ones): a controller's List(ns) reads its namespace's objects
    // only, instead of copying every object of the cluster (ConcurrentDictionary.Values locks and copies them all),
    // which made each sync of a 5,000-pod ReplicaSet cost the whole cluster's pods.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, T>> _byNamespace = new();
    private readonly List<EventHandlers<T>> _handlers = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Informer(ListWatch<T> listWatch, TimeSpan resync, TimeProvider? time = null, ILogger? log = null)
    {
        _listWatch = listWatch;
        _resync = resync;
        _time = time ?? TimeProvider.System;
        _log = log ?? NullLogger.Instance;
    }

    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>Completes once the first list is in the cache.</summary>
    public Task WaitForSyncAsync(CancellationToken ct) => _synced.Task.WaitAsync(ct);

    /// <summary>Subscribes; add handlers before <see cref="RunAsync"/> so none misses the first list.</summary>
    public void AddHandlers(EventHandlers<T> handlers)
    {
        lock (_handlers) _handlers.Add(handlers);
    }

    public T? Get(string key) => _items.GetValueOrDefault(key);

    public T? Get(string? ns, string name) => Get(ObjectKey.Of(ns, name));

    public IReadOnlyList<T> List() => _items.Values.ToList();

    public IReadOnlyList<T> List(string? ns) =>
        ns is null ? List() : _byNamespace.TryGetValue(ns, out var objects) ? objects.Values.ToList() : [];

    private void Put(string key, T obj)
    {
        _items[key] = obj;
        _byNamespace.GetOrAdd(obj.Metadata.NamespaceProperty ?? "", _ => new ConcurrentDictionary<string, T>())[key] = obj;
    }

    private bool Remove(string key, out T removed)
    {
        if (!_items.TryRemove(key, out removed!)) return false;
        if (_byNamespace.TryGetValue(removed.Metadata.NamespaceProperty ?? "", out var objects)) objects.TryRemove(key, out _);
        return true;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var resync = _resync > TimeSpan.Zero ? _time.CreateTimer(_ => Resync(), null, _resync, _resync) : null;
        var backoff = TimeSpan.FromMilliseconds(100);
        string? rv = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                rv ??= await ListAsync(ct);
                backoff = TimeSpan.FromMilliseconds(100);
                await foreach (var (type, obj) in _listWatch.Watch(rv, ct))
                {
                    rv = obj.Metadata?.ResourceVersion ?? rv;
                    Apply(type, obj);
                }
                // The server ended the watch (its timeout): watch again from where we were.
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A 410 (or any failure) means our place in the history may be lost: re-list.
                if (e is not HttpOperationException { Response.StatusCode: System.Net.HttpStatusCode.Gone }) LogWatchFailed(typeof(T).Name, e.Message);
                rv = null;
                try { await Task.Delay(backoff, _time, ct); } catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task<string> ListAsync(CancellationToken ct)
    {
        var (items, rv) = await _listWatch.List(ct);
        var seen = new HashSet<string>();
        foreach (var item in items)
        {
            var key = ObjectKey.Of(item);
            seen.Add(key);
            if (_items.TryGetValue(key, out var old))
            {
                Put(key, item);
                if (old.Metadata.ResourceVersion != item.Metadata.ResourceVersion) Notify(h => h.OnUpdate?.Invoke(old, item));
            }
            else
            {
                Put(key, item);
                Notify(h => h.OnAdd?.Invoke(item));
            }
        }
        foreach (var key in _items.Keys.Where(k => !seen.Contains(k)).ToList())
            if (Remove(key, out var gone)) Notify(h => h.OnDelete?.Invoke(gone));
        _synced.TrySetResult();
        return rv;
    }

    private void Apply(WatchEventType type, T obj)
    {
        if (type is WatchEventType.Bookmark or WatchEventType.Error) return;
        var key = ObjectKey.Of(obj);
        switch (type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                if (_items.TryGetValue(key, out var old))
                {
                    Put(key, obj);
                    Notify(h => h.OnUpdate?.Invoke(old, obj));
                }
                else
                {
                    Put(key, obj);
                    Notify(h => h.OnAdd?.Invoke(obj));
                }
                break;
            case WatchEventType.Deleted:
                Remove(key, out _);
                Notify(h => h.OnDelete?.Invoke(obj));
                break;
        }
    }

    private void Resync()
    {
        foreach (var obj in _items.Values) Notify(h => h.OnUpdate?.Invoke(obj, obj));
    }

    private void Notify(Action<EventHandlers<T>> call)
    {
        EventHandlers<T>[] handlers;
        lock (_handlers) handlers = [.. _handlers];
        foreach (var h in handlers)
        {
            try { call(h); }
            catch (Exception e) { LogHandlerFailed(typeof(T).Name, e); }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Kind} watch failed, re-listing: {Reason}")]
    private partial void LogWatchFailed(string kind, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "{Kind} event handler failed")]
    private partial void LogHandlerFailed(string kind, Exception e);
}
