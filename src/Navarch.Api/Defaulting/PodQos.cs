using k8s.Models;

namespace Navarch.Api.Defaulting;

/// <summary>Upstream's GetPodQOS: BestEffort, Burstable or Guaranteed from cpu and memory requests and limits.</summary>
public static class PodQos
{
    private static readonly string[] ComputeResources = ["cpu", "memory"];

    public static string Compute(V1PodSpec? spec)
    {
        var requests = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var limits = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var guaranteed = true;
        var containers = (spec?.Containers ?? []).Concat(spec?.InitContainers ?? []);
        foreach (var container in containers)
        {
            Sum(container.Resources?.Requests, requests);
            var found = Sum(container.Resources?.Limits, limits);
            if (!found.Contains("cpu") || !found.Contains("memory"))
            {
                guaranteed = false;
            }
        }
        if (requests.Count == 0 && limits.Count == 0)
        {
            return "BestEffort";
        }
        if (guaranteed && requests.All(r => limits.TryGetValue(r.Key, out var l) && l == r.Value) && requests.Count == limits.Count)
        {
            return "Guaranteed";
        }
        return "Burstable";
    }

    // Adds the positive cpu and memory quantities into totals; returns which were present.
    private static HashSet<string> Sum(IDictionary<string, ResourceQuantity>? list, Dictionary<string, decimal> totals)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, quantity) in list ?? new Dictionary<string, ResourceQuantity>())
        {
            if (!ComputeResources.Contains(name) || quantity is null)
            {
                continue;
            }
            var value = quantity.ToDecimal();
            if (value > 0)
            {
                found.Add(name);
                totals[name] = totals.GetValueOrDefault(name) + value;
            }
        }
        return found;
    }
}
