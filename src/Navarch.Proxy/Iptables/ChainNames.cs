using System.Security.Cryptography;
using System.Text;

namespace Navarch.Proxy.Iptables;

/// <summary>
/// The chains of the iptables mode, named exactly as upstream's kube-proxy names them (pkg/proxy/iptables/proxier.go),
/// so that rules read the same as on any Kubernetes node and tools that know those names work here too.
/// </summary>
public static class ChainNames
{
    // Top-level chains, one per hook; written whole on every sync.
    public const string Services = "KUBE-SERVICES";
    public const string ExternalServices = "KUBE-EXTERNAL-SERVICES";
    public const string NodePorts = "KUBE-NODEPORTS";
    public const string Postrouting = "KUBE-POSTROUTING";
    public const string MarkMasq = "KUBE-MARK-MASQ";
    public const string Forward = "KUBE-FORWARD";

    // Per-service-port chains, named by a hash (iptables chain names are at most 28 characters).
    public const string ClusterPolicyPrefix = "KUBE-SVC-";
    public const string LocalPolicyPrefix = "KUBE-SVL-";
    public const string ExternalPrefix = "KUBE-EXT-";
    public const string FirewallPrefix = "KUBE-FW-";
    public const string EndpointPrefix = "KUBE-SEP-";

    private static readonly string[] ServiceChainPrefixes =
        [ClusterPolicyPrefix, LocalPolicyPrefix, ExternalPrefix, FirewallPrefix, EndpointPrefix];

    /// <summary>
    /// Upstream's <c>ServicePortName.String()</c> as the iptables mode uses it: <c>namespace/name:port</c>, or just
    /// <c>namespace/name</c> when the port is unnamed (today's fmtPortName; the 2015 userspace proxier always wrote the
    /// colon, which is what <see cref="ServicePort.Name"/> keeps). It is both the hash input and the rule comment.
    /// </summary>
    public static string PortName(ServicePort port) =>
        port.PortName.Length == 0 ? $"{port.Namespace}/{port.Service}" : $"{port.Namespace}/{port.Service}:{port.PortName}";

    /// <summary>KUBE-SVC-…: dispatches to the usable endpoints of <paramref name="port"/> (Cluster traffic policy).</summary>
    public static string ClusterPolicy(ServicePort port) => ClusterPolicyPrefix + PortProtoHash(port);

    /// <summary>KUBE-SVL-…: dispatches to this node's endpoints only (externalTrafficPolicy Local).</summary>
    public static string LocalPolicy(ServicePort port) => LocalPolicyPrefix + PortProtoHash(port);

    /// <summary>KUBE-EXT-…: where node-port traffic enters; marks it for masquerade or keeps it local, then dispatches.</summary>
    public static string External(ServicePort port) => ExternalPrefix + PortProtoHash(port);

    /// <summary>KUBE-SEP-…: DNATs to one endpoint of <paramref name="port"/>.</summary>
    public static string Endpoint(ServicePort port, ServiceEndpoint endpoint) =>
        EndpointPrefix + Hash16(PortName(port) + Protocol(port) + EndpointString(endpoint));

    /// <summary>True for the per-service-port chains (KUBE-SVC/SVL/EXT/FW/SEP-…), upstream's isServiceChainName.</summary>
    public static bool IsServiceChain(string chain) =>
        ServiceChainPrefixes.Any(p => chain.StartsWith(p, StringComparison.Ordinal));

    /// <summary>The protocol as iptables spells it: <c>tcp</c>, <c>udp</c>, <c>sctp</c>.</summary>
    public static string Protocol(ServicePort port) => port.Protocol.ToLowerInvariant();

    /// <summary>Upstream's endpoint string, <c>ip:port</c> (IPv4 only here, so no brackets).</summary>
    public static string EndpointString(ServiceEndpoint endpoint) => $"{endpoint.Address}:{endpoint.Port}";

    private static string PortProtoHash(ServicePort port) => Hash16(PortName(port) + Protocol(port));

    /// <summary>
    /// The first 16 characters of the standard (RFC 4648, A–Z 2–7) base32 encoding of the SHA-256 of
    /// <paramref name="input"/>'s UTF-8 bytes, as Go's <c>base32.StdEncoding.EncodeToString(sha256.Sum256(...))[:16]</c>.
    /// 16 characters are 80 bits, exactly the first 10 bytes of the hash, so only those are encoded.
    /// </summary>
    internal static string Hash16(string input)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(input));
        var text = new StringBuilder(16);
        ulong buffer = 0;
        var bits = 0;
        for (var i = 0; i < 10; i++)
        {
            buffer = (buffer << 8) | hash[i];
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                text.Append(alphabet[(int)((buffer >> bits) & 31)]);
            }
        }

        return text.ToString();
    }
}
