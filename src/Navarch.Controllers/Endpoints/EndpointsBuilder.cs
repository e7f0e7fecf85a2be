using k8s.Models;

namespace Navarch.Controllers.Endpoints;

/// <summary>
/// Computes the subsets of a Service's Endpoints from its pods (upstream's syncService and RepackSubsets):
/// one subset per distinct set of resolved ports, ready addresses apart from not-ready ones, sorted so that
/// equal content compares equal.
/// </summary>
public static class EndpointsBuilder
{
    /// <summary>The subsets for <paramref name="service"/> given the pods its selector matches.</summary>
    public static List<V1EndpointSubset> Subsets(V1Service service, IEnumerable<V1Pod> pods)
    {
        var publishNotReady = service.Spec?.PublishNotReadyAddresses == true;
        var servicePorts = service.Spec?.Ports ?? [];
        // Address (ip + pod uid) → the ports it serves and whether it is ready.
        var byAddress = new Dictionary<string, (V1EndpointAddress Address, bool Ready, List<Corev1EndpointPort> Ports)>();
        foreach (var pod in pods)
        {
            if (!PodEndpointRules.ShouldBeEndpoint(pod, publishNotReady)) continue;
            var ip = PodEndpointRules.AddressFor(service, pod);
            if (ip is null) continue;
            var address = new V1EndpointAddress
            {
                Ip = ip,
                NodeName = string.IsNullOrEmpty(pod.Spec?.NodeName) ? null : pod.Spec.NodeName,
                Hostname = PodEndpointRules.ShouldSetHostname(pod, service) ? pod.Spec!.Hostname : null,
                TargetRef = new V1ObjectReference
                {
                    Kind = "Pod",
                    NamespaceProperty = pod.Metadata.NamespaceProperty,
                    Name = pod.Metadata.Name,
                    Uid = pod.Metadata.Uid,
                },
            };
            var ready = publishNotReady || PodEndpointRules.IsReady(pod);
            var ports = new List<Corev1EndpointPort>();
            if (servicePorts.Count == 0)
            {
                // Only a headless Service may have no ports; its addresses then carry none.
                if (PodEndpointRules.IsServiceIpSet(service)) continue;
            }
            else
            {
                foreach (var sp in servicePorts)
                {
                    var number = PodEndpointRules.FindPort(pod, sp);
                    if (number is null) continue;
                    ports.Add(new Corev1EndpointPort { Name = NullIfEmpty(sp.Name), Port = number.Value, Protocol = sp.Protocol ?? "TCP", AppProtocol = sp.AppProtocol });
                }
                if (ports.Count == 0) continue;
            }
            byAddress[$"{ip}|{pod.Metadata.Uid}"] = (address, ready, ports);
        }

        var subsets = new Dictionary<string, V1EndpointSubset>();
        foreach (var (address, ready, ports) in byAddress.Values)
        {
            var sorted = ports.OrderBy(PortKey, StringComparer.Ordinal).ToList();
            var key = string.Join(";", sorted.Select(PortKey));
            if (!subsets.TryGetValue(key, out var subset))
                subsets[key] = subset = new V1EndpointSubset { Ports = sorted.Count == 0 ? null : sorted };
            if (ready) (subset.Addresses ??= []).Add(address);
            else (subset.NotReadyAddresses ??= []).Add(address);
        }
        return Canonical(subsets.Values);
    }

    /// <summary>Sorts subsets, ports and addresses and drops empty lists, so equal content serializes equally.</summary>
    public static List<V1EndpointSubset> Canonical(IEnumerable<V1EndpointSubset>? subsets)
    {
        var result = new List<V1EndpointSubset>();
        foreach (var s in subsets ?? [])
        {
            var ports = s.Ports?.OrderBy(PortKey, StringComparer.Ordinal).ToList();
            var ready = s.Addresses?.OrderBy(AddressKey, StringComparer.Ordinal).ToList();
            var notReady = s.NotReadyAddresses?.OrderBy(AddressKey, StringComparer.Ordinal).ToList();
            result.Add(new V1EndpointSubset
            {
                Ports = ports is { Count: > 0 } ? ports : null,
                Addresses = ready is { Count: > 0 } ? ready : null,
                NotReadyAddresses = notReady is { Count: > 0 } ? notReady : null,
            });
        }
        return result.OrderBy(s => string.Join(";", (s.Ports ?? []).Select(PortKey)), StringComparer.Ordinal).ToList();
    }

    /// <summary>True when both hold the same addresses and ports (ignoring order and the pods' resourceVersions).</summary>
    public static bool SameSubsets(IEnumerable<V1EndpointSubset>? a, IEnumerable<V1EndpointSubset>? b) =>
        Signature(a) == Signature(b);

    /// <summary>
    /// Cuts the subsets to <see cref="EndpointsKeys.MaxCapacity"/> addresses, keeping ready ones first and sharing
    /// the cut between subsets in proportion to their size. Returns true when something was cut.
    /// </summary>
    public static bool Truncate(List<V1EndpointSubset> subsets, int capacity = EndpointsKeys.MaxCapacity)
    {
        var ready = subsets.Sum(s => s.Addresses?.Count ?? 0);
        var notReady = subsets.Sum(s => s.NotReadyAddresses?.Count ?? 0);
        if (ready + notReady <= capacity) return false;
        var cutReady = ready > capacity;
        var room = cutReady ? capacity : capacity - ready;
        var total = cutReady ? ready : notReady;
        var left = room;
        foreach (var s in subsets)
        {
            var list = cutReady ? s.Addresses : s.NotReadyAddresses;
            var share = Math.Min(left, (int)Math.Ceiling((double)(list?.Count ?? 0) / total * room));
            var kept = list?.Take(share).ToList();
            if (cutReady)
            {
                s.Addresses = kept is { Count: > 0 } ? kept : null;
                s.NotReadyAddresses = null;
            }
            else s.NotReadyAddresses = kept is { Count: > 0 } ? kept : null;
            left -= kept?.Count ?? 0;
        }
        return true;
    }

    /// <summary>
    /// When the endpoints last had reason to change: the latest of the Service's creation and each pod's last
    /// readiness transition (or creation). Null when there is none.
    /// </summary>
    public static DateTime? TriggerTime(V1Service service, IEnumerable<V1Pod> pods)
    {
        DateTime? latest = service.Metadata.CreationTimestamp;
        foreach (var pod in pods)
        {
            var t = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.LastTransitionTime ?? pod.Metadata.CreationTimestamp;
            if (t is not null && (latest is null || t > latest)) latest = t;
        }
        return latest;
    }

    // Everything an address says except the pod's resourceVersion, which changes without the endpoint changing.
    private static string Signature(IEnumerable<V1EndpointSubset>? subsets) =>
        string.Join("\n", Canonical(subsets).Select(s =>
            string.Join(";", (s.Ports ?? []).Select(PortKey)) + " R:" + string.Join(",", (s.Addresses ?? []).Select(FullAddressKey))
            + " N:" + string.Join(",", (s.NotReadyAddresses ?? []).Select(FullAddressKey))));

    private static string FullAddressKey(V1EndpointAddress a) =>
        $"{a.Ip}|{a.Hostname}|{a.NodeName}|{a.TargetRef?.Kind}|{a.TargetRef?.NamespaceProperty}|{a.TargetRef?.Name}|{a.TargetRef?.Uid}";

    private static string PortKey(Corev1EndpointPort p) => $"{p.Name}/{p.Port}/{p.Protocol}/{p.AppProtocol}";

    private static string AddressKey(V1EndpointAddress a) => $"{a.Ip}|{a.TargetRef?.Uid}";

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
