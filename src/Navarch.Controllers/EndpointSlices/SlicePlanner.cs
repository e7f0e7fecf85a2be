using k8s;
using k8s.Models;
using Navarch.Controllers.Endpoints;

namespace Navarch.Controllers.EndpointSlices;

/// <summary>What to write so a Service's slices hold exactly the desired endpoints.</summary>
public sealed record SlicePlan(IReadOnlyList<V1EndpointSlice> Create, IReadOnlyList<V1EndpointSlice> Update, IReadOnlyList<V1EndpointSlice> Delete)
{
    public bool IsEmpty => Create.Count == 0 && Update.Count == 0 && Delete.Count == 0;
}

/// <summary>
/// Plans the slice writes for one Service (a simpler cousin of upstream's reconciler): endpoints stay in the
/// slice that has them when they can, changed slices take new endpoints before untouched ones, new slices are
/// made only for what is left, at most <c>maxPerSlice</c> endpoints each; a slice left empty is deleted. A
/// Service with no endpoints keeps one empty placeholder slice, as upstream's does.
/// </summary>
public static class SlicePlanner
{
    public static SlicePlan Plan(V1Service service, IReadOnlyList<PortGroup> groups, IReadOnlyList<V1EndpointSlice> existing, int maxPerSlice = SliceKeys.MaxEndpointsPerSlice)
    {
        var labels = DesiredLabels(service);
        var addressType = SliceEndpoints.AddressType(service);
        var create = new List<V1EndpointSlice>();
        var update = new List<V1EndpointSlice>();
        var delete = existing.Where(s => s.AddressType != addressType).ToList();
        var usable = existing.Where(s => s.AddressType == addressType).OrderBy(s => s.Metadata.Name, StringComparer.Ordinal).ToList();

        if (groups.All(g => g.Endpoints.Count == 0))
        {
            var placeholder = usable.FirstOrDefault(IsPlaceholder);
            if (placeholder is null) create.Add(NewSlice(service, labels, addressType, [], []));
            else if (!MetadataCurrent(placeholder, service, labels)) update.Add(WithMetadata(DeepCopy.Of(placeholder), service, labels));
            delete.AddRange(usable.Where(s => !ReferenceEquals(s, placeholder)));
            return new SlicePlan(create, update, delete);
        }

        var wanted = groups.Select(g => g.PortsKey).ToHashSet();
        delete.AddRange(usable.Where(s => !wanted.Contains(SliceEndpoints.PortsKey(s.Ports)) || IsPlaceholder(s)));
        foreach (var group in groups)
        {
            var desired = group.Endpoints.ToDictionary(SliceEndpoints.EndpointKey);
            var placed = new HashSet<string>();
            var kept = new List<(V1EndpointSlice Slice, bool Changed)>();
            foreach (var slice in usable.Where(s => !IsPlaceholder(s) && SliceEndpoints.PortsKey(s.Ports) == group.PortsKey))
            {
                var endpoints = new List<V1Endpoint>();
                var changed = !MetadataCurrent(slice, service, labels);
                foreach (var e in slice.Endpoints ?? [])
                {
                    var key = SliceEndpoints.EndpointKey(e);
                    if (desired.TryGetValue(key, out var d) && placed.Add(key))
                    {
                        endpoints.Add(d);
                        changed |= KubernetesJson.Serialize(e) != KubernetesJson.Serialize(d);
                    }
                    else changed = true;
                }
                if (endpoints.Count == 0) { delete.Add(slice); continue; }
                var copy = WithMetadata(DeepCopy.Of(slice), service, labels);
                copy.Endpoints = endpoints;
                copy.Ports = [.. group.Ports];
                kept.Add((copy, changed));
            }

            var remaining = new Queue<V1Endpoint>(group.Endpoints.Where(e => !placed.Contains(SliceEndpoints.EndpointKey(e))));
            // Fill slices we write anyway before touching one that is already right.
            foreach (var i in Enumerable.Range(0, kept.Count).OrderByDescending(i => kept[i].Changed).ToList())
            {
                var slice = kept[i].Slice;
                if (remaining.Count == 0 || slice.Endpoints.Count >= maxPerSlice) continue;
                while (slice.Endpoints.Count < maxPerSlice && remaining.Count > 0) slice.Endpoints.Add(remaining.Dequeue());
                kept[i] = (slice, true);
            }
            update.AddRange(kept.Where(k => k.Changed).Select(k => k.Slice));
            while (remaining.Count > 0)
            {
                var chunk = new List<V1Endpoint>();
                while (chunk.Count < maxPerSlice && remaining.Count > 0) chunk.Add(remaining.Dequeue());
                create.Add(NewSlice(service, labels, addressType, group.Ports, chunk));
            }
        }
        return new SlicePlan(create, update, delete);
    }

    /// <summary>The Service's labels (minus the reserved ones) plus service-name, managed-by and the headless marker.</summary>
    public static Dictionary<string, string> DesiredLabels(V1Service service)
    {
        var labels = new Dictionary<string, string>();
        foreach (var (k, v) in service.Metadata.Labels ?? new Dictionary<string, string>())
            if (k is not (SliceKeys.ServiceNameLabel or SliceKeys.ManagedByLabel or EndpointsKeys.HeadlessLabel)) labels[k] = v;
        labels[SliceKeys.ServiceNameLabel] = service.Metadata.Name;
        labels[SliceKeys.ManagedByLabel] = SliceKeys.ControllerName;
        if (!PodEndpointRules.IsServiceIpSet(service)) labels[EndpointsKeys.HeadlessLabel] = "";
        return labels;
    }

    /// <summary>The owner reference every slice carries to its Service.</summary>
    public static V1OwnerReference OwnerOf(V1Service service) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Name = service.Metadata.Name,
        Uid = service.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    private static bool IsPlaceholder(V1EndpointSlice s) => (s.Endpoints?.Count ?? 0) == 0 && (s.Ports?.Count ?? 0) == 0;

    private static V1EndpointSlice NewSlice(V1Service service, Dictionary<string, string> labels, string addressType,
        IEnumerable<Discoveryv1EndpointPort> ports, List<V1Endpoint> endpoints) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            GenerateName = service.Metadata.Name + "-",
            NamespaceProperty = service.Metadata.NamespaceProperty,
            Labels = new Dictionary<string, string>(labels),
            OwnerReferences = [OwnerOf(service)],
        },
        AddressType = addressType,
        Ports = [.. ports],
        Endpoints = endpoints,
    };

    private static bool MetadataCurrent(V1EndpointSlice slice, V1Service service, Dictionary<string, string> labels) =>
        EndpointsController.SameLabels(slice.Metadata.Labels, labels)
        && slice.Metadata.OwnerReferences?.Any(o => o.Uid == service.Metadata.Uid && o.Controller == true) == true;

    private static V1EndpointSlice WithMetadata(V1EndpointSlice slice, V1Service service, Dictionary<string, string> labels)
    {
        slice.Metadata.Labels = new Dictionary<string, string>(labels);
        var owners = (slice.Metadata.OwnerReferences ?? []).Where(o => o.Controller != true).ToList();
        owners.Add(OwnerOf(service));
        slice.Metadata.OwnerReferences = owners;
        return slice;
    }
}
