using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using ARSoft.Tools.Net;
using k8s.Models;

namespace Navarch.Dns.Records;

/// <summary>
/// The in-memory index the server answers from, kept current by informer events on Services, EndpointSlices and
/// Pods. Writers (the informers' handlers) take one lock and rebuild only the service an event touches; readers (the
/// server's query threads) never lock: they read immutable <see cref="ServiceRecords"/> from concurrent dictionaries.
/// </summary>
public sealed class ClusterIndex(DomainName zone, int ttl, TimeProvider? time = null)
{
    /// <summary>The label that ties an EndpointSlice to its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly object _write = new();

    // Guarded by _write for writes; read without locks.
    private readonly ConcurrentDictionary<(string Ns, string Name), ServiceRecords> _services = new();
    private readonly ConcurrentDictionary<IPAddress, ImmutableArray<DomainName>> _pointers = new();
    private readonly ConcurrentDictionary<string, int> _namespaces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Ns, IPAddress Ip), int> _podIps = new();

    // Only under _write.
    private readonly Dictionary<(string Ns, string Name), V1Service> _serviceObjects = [];
    private readonly Dictionary<(string Ns, string Service), Dictionary<string, V1EndpointSlice>> _slices = [];
    private readonly Dictionary<string, (string Ns, List<IPAddress> Ips)> _pods = new(StringComparer.Ordinal);
    private long _serial;

    public DomainName Zone { get; } = zone;
    public int Ttl { get; } = ttl;

    /// <summary>The SOA serial: the Unix time of the last change (as CoreDNS's kubernetes plugin).</summary>
    public uint Serial => (uint)Interlocked.Read(ref _serial);

    /// <summary>How many services are indexed.</summary>
    public int ServiceCount => _services.Count;

    public ServiceRecords? FindService(string ns, string name) => _services.GetValueOrDefault((ns, name));

    public ImmutableArray<DomainName> FindPointers(IPAddress ip) => _pointers.GetValueOrDefault(ip, []);

    /// <summary>Whether a namespace holds any service or pod (its <c>ns.svc.zone</c> then exists as a name).</summary>
    public bool HasNamespace(string ns) => _namespaces.ContainsKey(ns);

    /// <summary>Whether a pod in <paramref name="ns"/> has <paramref name="ip"/> (CoreDNS's "pods verified").</summary>
    public bool HasPod(string ns, IPAddress ip) => _podIps.ContainsKey((ns, ip));

    public void SetService(V1Service service)
    {
        var key = Key(service.Metadata);
        lock (_write)
        {
            if (!_serviceObjects.ContainsKey(key)) CountNamespace(key.Ns, +1);
            _serviceObjects[key] = service;
            Rebuild(key);
        }
    }

    public void RemoveService(V1Service service)
    {
        var key = Key(service.Metadata);
        lock (_write)
        {
            if (!_serviceObjects.Remove(key)) return;
            CountNamespace(key.Ns, -1);
            Rebuild(key);
        }
    }

    public void SetSlice(V1EndpointSlice slice)
    {
        if (slice.Metadata.Labels is null || !slice.Metadata.Labels.TryGetValue(ServiceNameLabel, out var service) || string.IsNullOrEmpty(service)) return;
        var key = (slice.Metadata.NamespaceProperty ?? "default", service);
        lock (_write)
        {
            if (!_slices.TryGetValue(key, out var slices)) _slices[key] = slices = new(StringComparer.Ordinal);
            slices[slice.Metadata.Name] = slice;
            Rebuild(key);
        }
    }

    public void RemoveSlice(V1EndpointSlice slice)
    {
        if (slice.Metadata.Labels is null || !slice.Metadata.Labels.TryGetValue(ServiceNameLabel, out var service) || string.IsNullOrEmpty(service)) return;
        var key = (slice.Metadata.NamespaceProperty ?? "default", service);
        lock (_write)
        {
            if (!_slices.TryGetValue(key, out var slices) || !slices.Remove(slice.Metadata.Name)) return;
            if (slices.Count == 0) _slices.Remove(key);
            Rebuild(key);
        }
    }

    public void SetPod(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        var ips = (pod.Status?.PodIPs?.Select(p => p.Ip) ?? (pod.Status?.PodIP is { } one ? [one] : []))
            .Select(t => IPAddress.TryParse(t, out var ip) ? ip : null).OfType<IPAddress>().Distinct().ToList();
        lock (_write)
        {
            RemovePodLocked(pod.Metadata.Uid ?? $"{ns}/{pod.Metadata.Name}");
            _pods[pod.Metadata.Uid ?? $"{ns}/{pod.Metadata.Name}"] = (ns, ips);
            CountNamespace(ns, +1);
            foreach (var ip in ips) _podIps.AddOrUpdate((ns, ip), 1, (_, n) => n + 1);
            Touch();
        }
    }

    public void RemovePod(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        lock (_write)
        {
            RemovePodLocked(pod.Metadata.Uid ?? $"{ns}/{pod.Metadata.Name}");
            Touch();
        }
    }

    private void RemovePodLocked(string uid)
    {
        if (!_pods.Remove(uid, out var old)) return;
        CountNamespace(old.Ns, -1);
        foreach (var ip in old.Ips)
            if (_podIps.AddOrUpdate((old.Ns, ip), 0, (_, n) => n - 1) <= 0) _podIps.TryRemove((old.Ns, ip), out _);
    }

    // Under _write: recomputes one service's records and swaps its PTR records.
    private void Rebuild((string Ns, string Name) key)
    {
        var old = _services.GetValueOrDefault(key);
        ServiceRecords? fresh = null;
        if (_serviceObjects.TryGetValue(key, out var service))
        {
            var slices = _slices.TryGetValue(key, out var s) ? s.Values : (IEnumerable<V1EndpointSlice>)[];
            fresh = ServiceRecordsBuilder.Build(service, slices, Zone, Ttl);
            _services[key] = fresh;
        }
        else _services.TryRemove(key, out _);

        foreach (var (ip, target) in old?.Pointers ?? [])
        {
            var left = _pointers.GetValueOrDefault(ip, []).Remove(target);
            if (left.IsEmpty) _pointers.TryRemove(ip, out _);
            else _pointers[ip] = left;
        }
        foreach (var (ip, target) in fresh?.Pointers ?? [])
            _pointers[ip] = _pointers.GetValueOrDefault(ip, []).Add(target);
        Touch();
    }

    private void CountNamespace(string ns, int delta)
    {
        if (_namespaces.AddOrUpdate(ns, delta, (_, n) => n + delta) <= 0) _namespaces.TryRemove(ns, out _);
    }

    private void Touch() => Interlocked.Exchange(ref _serial, _time.GetUtcNow().ToUnixTimeSeconds());

    private static (string Ns, string Name) Key(V1ObjectMeta meta) => (meta.NamespaceProperty ?? "default", meta.Name);
}
