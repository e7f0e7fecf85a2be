using System.Text;
using Navarch.Cri;
using Navarch.Client.Informers;

namespace Navarch.Agent.Pods;

/// <summary>
/// Upstream's PLEG in its simplest form: lists the runtime's sandboxes and containers, and names the pods
/// (<c>namespace/name</c>) whose runtime objects changed since the last listing — a container that exited,
/// a sandbox that died, objects of a pod that appeared or vanished. The first listing names every pod the
/// runtime holds (adoption after an agent restart). Not thread-safe: one caller.
/// </summary>
public sealed class RuntimeRelister(ICriRuntime runtime)
{
    private static readonly IReadOnlyDictionary<string, string> Managed =
        new Dictionary<string, string> { [RuntimeLabels.ManagedBy] = RuntimeLabels.ManagedByAgent };

    private Dictionary<string, string> _last = [];

    /// <summary>Lists the runtime once and returns the keys of pods whose objects changed.</summary>
    public async Task<IReadOnlyList<string>> RelistAsync(CancellationToken ct)
    {
        var sandboxes = await runtime.ListSandboxesAsync(Managed, ct);
        var containers = await runtime.ListContainersAsync(new ContainerFilter { Labels = Managed }, ct);
        var now = Fingerprints(sandboxes, containers);
        var changed = now.Where(kv => !_last.TryGetValue(kv.Key, out var before) || before != kv.Value).Select(kv => kv.Key)
            .Concat(_last.Keys.Where(k => !now.ContainsKey(k)))
            .ToList();
        _last = now;
        return changed;
    }

    /// <summary>One string per pod key that changes whenever any of its sandboxes or containers changes state.</summary>
    public static Dictionary<string, string> Fingerprints(IEnumerable<SandboxInfo> sandboxes, IEnumerable<ContainerInfo> containers)
    {
        var byPod = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        var podOfSandbox = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var s in sandboxes.OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var key = ObjectKey.Of(s.Namespace, s.Name);
            podOfSandbox[s.Id] = key;
            Append(byPod, key).Append(s.Id).Append(':').Append(s.State).Append(';');
        }
        foreach (var c in containers.OrderBy(c => c.Id, StringComparer.Ordinal))
            if (podOfSandbox.TryGetValue(c.SandboxId, out var key))
                Append(byPod, key).Append(c.Id).Append(':').Append(c.State).Append(';');
        return byPod.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
    }

    private static StringBuilder Append(Dictionary<string, StringBuilder> map, string key)
    {
        if (!map.TryGetValue(key, out var sb)) map[key] = sb = new StringBuilder();
        return sb;
    }
}
