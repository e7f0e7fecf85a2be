using System.Globalization;
using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>
/// The service environment variables upstream's kubelet gives every container: for each Service with a
/// cluster IP, <c>NAME_SERVICE_HOST</c>/<c>_PORT</c> (and one per named port) plus Docker-link variables
/// (<c>NAME_PORT</c>, <c>NAME_PORT_80_TCP</c>, <c>_PROTO</c>, <c>_PORT</c>, <c>_ADDR</c>).
/// </summary>
public static class ServiceEnvironment
{
    /// <summary>Services in the default namespace whose variables every pod gets, whatever enableServiceLinks says.</summary>
    private static readonly HashSet<string> MasterServices = ["kubernetes"];

    /// <summary>
    /// The variables for a pod in <paramref name="podNamespace"/>: the services of its namespace when
    /// <paramref name="enableServiceLinks"/> (the default), plus the <c>kubernetes</c> service of the default
    /// namespace; ordered by service name so the result is stable.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> For(string podNamespace, bool enableServiceLinks, IEnumerable<V1Service> services)
    {
        var chosen = new SortedDictionary<string, V1Service>(StringComparer.Ordinal);
        foreach (var s in services)
        {
            if (!HasClusterIp(s)) continue;
            var name = s.Metadata.Name;
            if (s.Metadata.NamespaceProperty == "default" && MasterServices.Contains(name)) chosen.TryAdd(name, s);
            else if (s.Metadata.NamespaceProperty == podNamespace && enableServiceLinks) chosen[name] = s;
        }
        return chosen.Values.SelectMany(FromService).ToList();
    }

    /// <summary>The variables of one service, in upstream's order.</summary>
    public static IEnumerable<KeyValuePair<string, string>> FromService(V1Service service)
    {
        var ports = service.Spec?.Ports ?? [];
        if (!HasClusterIp(service) || ports.Count == 0) yield break;
        var ip = service.Spec!.ClusterIP;
        var prefix = VariableName(service.Metadata.Name);
        yield return Var(prefix + "_SERVICE_HOST", ip);
        yield return Var(prefix + "_SERVICE_PORT", Port(ports[0].Port));
        foreach (var p in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
            yield return Var(prefix + "_SERVICE_PORT_" + VariableName(p.Name), Port(p.Port));
        var host = ip.Contains(':') ? $"[{ip}]" : ip;
        for (var i = 0; i < ports.Count; i++)
        {
            var p = ports[i];
            var protocol = string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol;
            var url = $"{protocol.ToLowerInvariant()}://{host}:{Port(p.Port)}";
            if (i == 0) yield return Var(prefix + "_PORT", url);
            var portPrefix = $"{prefix}_PORT_{Port(p.Port)}_{protocol.ToUpperInvariant()}";
            yield return Var(portPrefix, url);
            yield return Var(portPrefix + "_PROTO", protocol.ToLowerInvariant());
            yield return Var(portPrefix + "_PORT", Port(p.Port));
            yield return Var(portPrefix + "_ADDR", ip);
        }
    }

    /// <summary>Upstream's variable name of a service or port name: upper case, '-' as '_'.</summary>
    public static string VariableName(string name) => name.Replace('-', '_').ToUpperInvariant();

    private static bool HasClusterIp(V1Service s) => s.Spec?.ClusterIP is { Length: > 0 } ip && ip != "None";

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static KeyValuePair<string, string> Var(string name, string value) => new(name, value);
}
