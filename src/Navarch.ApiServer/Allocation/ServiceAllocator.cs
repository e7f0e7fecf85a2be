using System.Net;
using System.Net.Sockets;
using k8s.Models;
using Navarch.ApiServer.Registry;
using Navarch.Storage;

namespace Navarch.ApiServer.Allocation;

/// <summary>
/// Cluster IPs and node ports of Services, allocated inside the API server as upstream does: on create
/// and type change, honouring explicit values, released on delete.
/// </summary>
public sealed class ServiceAllocator
{
    public const string ClusterIpPrefix = "/registry/ranges/serviceips/";
    public const string NodePortPrefix = "/registry/ranges/servicenodeports/";

    private readonly uint _firstAddress;
    private readonly RangeAllocator _ips;
    private readonly RangeAllocator _ports;

    public ServiceAllocator(IStore store, string serviceCidr, (int First, int Last) nodePorts)
    {
        ServiceCidr = serviceCidr;
        NodePorts = nodePorts;
        var (network, prefix) = ParseCidr(serviceCidr);
        // Usable addresses exclude the network and broadcast addresses.
        var count = (1L << (32 - prefix)) - 2;
        if (count < 1) throw new ArgumentException($"--service-cluster-ip-range {serviceCidr} is too small");
        _firstAddress = network + 1;
        _ips = new RangeAllocator(store, ClusterIpPrefix, count, o => FormatIp(_firstAddress + (uint)o));
        _ports = new RangeAllocator(store, NodePortPrefix, nodePorts.Last - nodePorts.First + 1,
            o => (nodePorts.First + o).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public string ServiceCidr { get; }
    public (int First, int Last) NodePorts { get; }

    /// <summary>The first address of the range: the <c>kubernetes</c> service's.</summary>
    public string KubernetesServiceIp => FormatIp(_firstAddress);

    /// <summary>Loads the allocations and, with <paramref name="releaseLeaks"/>, drops those no service holds (left by a crash
    /// between allocation and create); only safe when no other API server can be mid-create.</summary>
    public async Task RepairAsync(IEnumerable<V1Service> services, bool releaseLeaks, CancellationToken ct)
    {
        var ipsInUse = new HashSet<string>();
        var portsInUse = new HashSet<int>();
        foreach (var s in services)
        {
            foreach (var ip in s.Spec?.ClusterIPs ?? (s.Spec?.ClusterIP is { } one ? [one] : []))
                if (ip != "None") ipsInUse.Add(ip);
            foreach (var p in s.Spec?.Ports ?? [])
                if (p.NodePort is > 0) portsInUse.Add(p.NodePort.Value);
        }
        foreach (var member in (await _ips.LoadAsync(ct)).Keys)
        {
            if (TryOffset(member, out var o))
            {
                if (ipsInUse.Contains(member) || !releaseLeaks) _ips.MarkUsed(o); else await _ips.ReleaseAsync(o, ct);
            }
        }
        foreach (var member in (await _ports.LoadAsync(ct)).Keys)
        {
            if (int.TryParse(member, out var port) && port >= NodePorts.First && port <= NodePorts.Last)
            {
                var o = port - NodePorts.First;
                if (portsInUse.Contains(port) || !releaseLeaks) _ports.MarkUsed(o); else await _ports.ReleaseAsync(o, ct);
            }
        }
    }

    /// <summary>
    /// Gives <paramref name="svc"/> what it lacks: a cluster IP (unless headless or ExternalName) and node
    /// ports for NodePort/LoadBalancer; keeps what <paramref name="old"/> had. On failure everything this call
    /// took is released and a 422 is thrown. Returns a release action for the members this call took, to
    /// undo them if the write that follows fails.
    /// </summary>
    public async Task<Func<CancellationToken, Task>> AllocateAsync(V1Service svc, V1Service? old, CancellationToken ct)
    {
        var taken = new List<(RangeAllocator Range, long Offset)>();
        async Task Undo(CancellationToken c)
        {
            foreach (var (range, offset) in taken) await range.ReleaseAsync(offset, c);
        }
        var owner = $"{svc.Metadata.NamespaceProperty}/{svc.Metadata.Name}";
        try
        {
            var spec = svc.Spec ??= new V1ServiceSpec();
            var type = spec.Type ?? "ClusterIP";
            if (type == "ExternalName")
            {
                spec.ClusterIP = null;
                spec.ClusterIPs = null;
            }
            else if (old?.Spec?.ClusterIP is { Length: > 0 } kept && old.Spec.Type != "ExternalName" && (string.IsNullOrEmpty(spec.ClusterIP) || spec.ClusterIP == kept))
            {
                spec.ClusterIP = kept;
                spec.ClusterIPs = old.Spec.ClusterIPs ?? [kept];
            }
            else if (spec.ClusterIP == "None")
            {
                spec.ClusterIPs = ["None"];
            }
            else if (string.IsNullOrEmpty(spec.ClusterIP))
            {
                var o = await _ips.AllocateAnyAsync(owner, ct)
                    ?? throw Invalid(svc, "spec.clusterIPs", "[]", $"failed to allocate IP: range is full ({ServiceCidr})");
                taken.Add((_ips, o));
                spec.ClusterIP = FormatIp(_firstAddress + (uint)o);
                spec.ClusterIPs = [spec.ClusterIP];
            }
            else
            {
                if (!TryOffset(spec.ClusterIP, out var o))
                    throw Invalid(svc, "spec.clusterIPs", $"[]string{{\"{spec.ClusterIP}\"}}",
                        $"failed to allocate IP {spec.ClusterIP}: the provided IP ({spec.ClusterIP}) is not in the valid range. The range of valid IPs is {ServiceCidr}");
                if (!await _ips.TryAllocateAsync(o, owner, ct))
                    throw Invalid(svc, "spec.clusterIPs", $"[]string{{\"{spec.ClusterIP}\"}}", $"failed to allocate IP {spec.ClusterIP}: provided IP is already allocated");
                taken.Add((_ips, o));
                spec.ClusterIPs = [spec.ClusterIP];
            }
            if (spec.ClusterIP is not null && spec.ClusterIP != "None")
            {
                spec.IpFamilies ??= ["IPv4"];
                spec.IpFamilyPolicy ??= "SingleStack";
            }

            var wantsNodePorts = type is "NodePort" or "LoadBalancer";
            var oldPorts = (old?.Spec?.Type is "NodePort" or "LoadBalancer" ? old.Spec.Ports : null) ?? [];
            for (var i = 0; i < (spec.Ports?.Count ?? 0); i++)
            {
                var port = spec.Ports![i];
                if (!wantsNodePorts)
                {
                    port.NodePort = null;
                    continue;
                }
                var previous = oldPorts.FirstOrDefault(p => p.Port == port.Port && p.Protocol == port.Protocol)?.NodePort;
                if (port.NodePort is null or 0 && previous is > 0) port.NodePort = previous;
                if (previous is > 0 && port.NodePort == previous) continue;
                if (port.NodePort is null or 0)
                {
                    var o = await _ports.AllocateAnyAsync(owner, ct)
                        ?? throw Invalid(svc, $"spec.ports[{i}].nodePort", "0", "failed to allocate a nodePort: range is full");
                    taken.Add((_ports, o));
                    port.NodePort = (int)(NodePorts.First + o);
                }
                else
                {
                    var n = port.NodePort.Value;
                    if (n < NodePorts.First || n > NodePorts.Last)
                        throw Invalid(svc, $"spec.ports[{i}].nodePort", n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            $"provided port is not in the valid range. The range of valid ports is {NodePorts.First}-{NodePorts.Last}");
                    if (!await _ports.TryAllocateAsync(n - NodePorts.First, owner, ct))
                        throw Invalid(svc, $"spec.ports[{i}].nodePort", n.ToString(System.Globalization.CultureInfo.InvariantCulture), "provided port is already allocated");
                    taken.Add((_ports, n - NodePorts.First));
                }
            }
            return Undo;
        }
        catch
        {
            await Undo(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Releases what <paramref name="old"/> held and <paramref name="current"/> (if any) no longer does.</summary>
    public async Task ReleaseAsync(V1Service old, V1Service? current, CancellationToken ct)
    {
        var keepIp = current?.Spec?.ClusterIP;
        if (old.Spec?.ClusterIP is { } ip && ip != "None" && ip != keepIp && TryOffset(ip, out var o))
            await _ips.ReleaseAsync(o, ct);
        var keepPorts = (current?.Spec?.Ports ?? []).Where(p => p.NodePort is > 0).Select(p => p.NodePort!.Value).ToHashSet();
        foreach (var p in old.Spec?.Ports ?? [])
            if (p.NodePort is int n && n > 0 && !keepPorts.Contains(n) && n >= NodePorts.First && n <= NodePorts.Last)
                await _ports.ReleaseAsync(n - NodePorts.First, ct);
    }

    private static ApiException Invalid(V1Service svc, string field, string value, string detail)
    {
        var message = $"{field}: Invalid value: {value}: {detail}";
        return ApiException.Invalid("Service", svc.Metadata.Name, $"Service \"{svc.Metadata.Name}\" is invalid: {message}",
            [new V1StatusCause { Reason = "FieldValueInvalid", Field = field, Message = $"Invalid value: {value}: {detail}" }]);
    }

    private bool TryOffset(string ip, out long offset)
    {
        offset = -1;
        if (!IPAddress.TryParse(ip, out var a) || a.AddressFamily != AddressFamily.InterNetwork) return false;
        var value = ToUInt(a);
        if (value < _firstAddress || value >= _firstAddress + _ips.Size) return false;
        offset = value - _firstAddress;
        return true;
    }

    public static (uint Network, int Prefix) ParseCidr(string cidr)
    {
        if (!IPNetwork.TryParse(cidr, out var net) || net.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"invalid IPv4 CIDR \"{cidr}\"");
        return (ToUInt(net.BaseAddress), net.PrefixLength);
    }

    private static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static string FormatIp(uint v) => $"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}";
}
