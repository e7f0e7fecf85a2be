using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Dns.Hosting;

/// <summary>
/// The <c>kube-dns</c> Service in <c>kube-system</c> at the service range's 10th address, without a selector, and
/// the EndpointSlice and Endpoints that point it at the live DNS servers (<see cref="DnsServerLeases"/>), so each node's
/// service proxy routes it like any other service (ports <c>dns</c>/UDP and <c>dns-tcp</c>/TCP 53, as kubeadm's). Written through the API with the
/// official client; made to match on every <see cref="EnsureAsync"/>.
/// </summary>
public static class KubeDnsService
{
    public const string Namespace = "kube-system";
    public const string Name = "kube-dns";
    public const int ServicePort = 53;

    /// <summary>The managed-by value on the EndpointSlice, so the EndpointSlice controller leaves it alone.</summary>
    public const string ManagedBy = "navarch-cluster-dns";

    /// <summary>The service range's 10th address (10.96.0.10 for 10.96.0.0/12), kube-dns's by convention.</summary>
    public static IPAddress ClusterIpFor(string serviceCidr)
    {
        var range = IPNetwork.Parse(serviceCidr);
        var bytes = range.BaseAddress.GetAddressBytes();
        var carry = 10;
        for (var i = bytes.Length - 1; i >= 0 && carry > 0; i--)
        {
            var sum = bytes[i] + carry;
            bytes[i] = (byte)sum;
            carry = sum >> 8;
        }
        var ip = new IPAddress(bytes);
        if (!range.Contains(ip)) throw new ArgumentException($"the service range {serviceCidr} has no 10th address for kube-dns");
        return ip;
    }

    /// <summary>Creates or corrects the Service, and its EndpointSlice and Endpoints listing <paramref name="servers"/> on <paramref name="port"/>.</summary>
    public static async Task EnsureAsync(IKubernetes client, IPAddress clusterIp, IReadOnlyList<IPAddress> servers, int port, CancellationToken ct)
    {
        await EnsureServiceAsync(client, clusterIp, ct);
        await EnsureSliceAsync(client, servers, port, ct);
        await EnsureEndpointsAsync(client, servers, port, ct);
    }

    /// <summary>Whether endpoints may name <paramref name="address"/>: upstream's validation refuses loopback and unspecified ones.</summary>
    public static bool Publishable(IPAddress address) =>
        !IPAddress.IsLoopback(address) && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any);

    private static async Task EnsureServiceAsync(IKubernetes client, IPAddress clusterIp, CancellationToken ct)
    {
        var existing = await ReadAsync(() => client.CoreV1.ReadNamespacedServiceAsync(Name, Namespace, cancellationToken: ct));
        if (existing is not null && existing.Spec.ClusterIP == clusterIp.ToString() && existing.Spec.Selector is null &&
            existing.Spec.Ports?.Count == 2)
            return;
        if (existing is not null) await client.CoreV1.DeleteNamespacedServiceAsync(Name, Namespace, cancellationToken: ct);
        await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta
            {
                Name = Name,
                NamespaceProperty = Namespace,
                Labels = new Dictionary<string, string>
                {
                    ["k8s-app"] = "kube-dns",
                    ["kubernetes.io/cluster-service"] = "true",
                    ["kubernetes.io/name"] = "KubeDNS",
                },
            },
            Spec = new V1ServiceSpec
            {
                ClusterIP = clusterIp.ToString(),
                Ports =
                [
                    new V1ServicePort { Name = "dns", Port = ServicePort, Protocol = "UDP", TargetPort = ServicePort },
                    new V1ServicePort { Name = "dns-tcp", Port = ServicePort, Protocol = "TCP", TargetPort = ServicePort },
                ],
            },
        }, Namespace, cancellationToken: ct);
    }

    private static async Task EnsureSliceAsync(IKubernetes client, IReadOnlyList<IPAddress> servers, int port, CancellationToken ct)
    {
        var wanted = new V1EndpointSlice
        {
            Metadata = new V1ObjectMeta
            {
                Name = Name,
                NamespaceProperty = Namespace,
                Labels = new Dictionary<string, string>
                {
                    ["kubernetes.io/service-name"] = Name,
                    ["endpointslice.kubernetes.io/managed-by"] = ManagedBy,
                },
            },
            AddressType = servers.Any(s => s.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) ? "IPv6" : "IPv4",
            Endpoints = servers.Select(s => new V1Endpoint
            {
                Addresses = [s.ToString()],
                Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false },
            }).ToList(),
            Ports =
            [
                new Discoveryv1EndpointPort { Name = "dns", Port = port, Protocol = "UDP" },
                new Discoveryv1EndpointPort { Name = "dns-tcp", Port = port, Protocol = "TCP" },
            ],
        };
        var existing = await ReadAsync(() => client.DiscoveryV1.ReadNamespacedEndpointSliceAsync(Name, Namespace, cancellationToken: ct));
        if (existing is null)
        {
            await client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(wanted, Namespace, cancellationToken: ct);
            return;
        }
        var addresses = (existing.Endpoints ?? []).SelectMany(e => e.Addresses ?? []);
        if (addresses.SequenceEqual(servers.Select(s => s.ToString())) && existing.Ports?.All(p => p.Port == port) == true)
            return;
        wanted.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        await client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(wanted, Name, Namespace, cancellationToken: ct);
    }

    private static async Task EnsureEndpointsAsync(IKubernetes client, IReadOnlyList<IPAddress> servers, int port, CancellationToken ct)
    {
        var wanted = new V1Endpoints
        {
            Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = Namespace },
            Subsets = servers.Count == 0 ? null :
            [
                new V1EndpointSubset
                {
                    Addresses = servers.Select(s => new V1EndpointAddress { Ip = s.ToString() }).ToList(),
                    Ports =
                    [
                        new Corev1EndpointPort { Name = "dns", Port = port, Protocol = "UDP" },
                        new Corev1EndpointPort { Name = "dns-tcp", Port = port, Protocol = "TCP" },
                    ],
                },
            ],
        };
        var existing = await ReadAsync(() => client.CoreV1.ReadNamespacedEndpointsAsync(Name, Namespace, cancellationToken: ct));
        if (existing is null)
        {
            await client.CoreV1.CreateNamespacedEndpointsAsync(wanted, Namespace, cancellationToken: ct);
            return;
        }
        var addresses = (existing.Subsets ?? []).SelectMany(s => s.Addresses ?? []).Select(a => a.Ip);
        if (addresses.SequenceEqual(servers.Select(s => s.ToString())) && (existing.Subsets ?? []).All(s => s.Ports?.All(p => p.Port == port) == true))
            return;
        wanted.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        await client.CoreV1.ReplaceNamespacedEndpointsAsync(wanted, Name, Namespace, cancellationToken: ct);
    }

    private static async Task<T?> ReadAsync<T>(Func<Task<T>> read) where T : class
    {
        try { return await read(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
    }
}
