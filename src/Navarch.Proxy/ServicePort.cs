using System.Net;

namespace Navarch.Proxy;

/// <summary>One backend of a service port: a pod's address and target port, from an EndpointSlice.</summary>
/// <param name="Ready">The endpoint's <c>conditions.ready</c> (absent means ready).</param>
/// <param name="Serving">The endpoint's <c>conditions.serving</c> (absent means the same as ready).</param>
/// <param name="Terminating">The endpoint's <c>conditions.terminating</c> (absent means false).</param>
/// <param name="NodeName">The endpoint's <c>nodeName</c>, which tells local endpoints from remote ones.</param>
public sealed record ServiceEndpoint(IPAddress Address, int Port, bool Ready, bool Serving, bool Terminating, string? NodeName)
{
    public IPEndPoint EndPoint => new(Address, Port);
}

/// <summary>
/// One port of one Service, as the proxy programs it: what clients dial (cluster IP and port, node port) and where it
/// goes (the endpoints). Headless services (clusterIP None) and ExternalName services have none of these.
/// </summary>
/// <param name="PortName">The port's name; "" for the unnamed port of a single-port service.</param>
/// <param name="Protocol">TCP, UDP or SCTP.</param>
/// <param name="NodePort">The node port, 0 if the service has none.</param>
/// <param name="ClientIpAffinity">sessionAffinity ClientIP.</param>
/// <param name="AffinitySeconds">sessionAffinityConfig.clientIP.timeoutSeconds (default 10800).</param>
/// <param name="ExternalTrafficLocal">externalTrafficPolicy Local: node-port traffic only to this node's endpoints.</param>
public sealed record ServicePort(
    string Namespace,
    string Service,
    string PortName,
    string Protocol,
    IPAddress ClusterIp,
    int Port,
    int NodePort,
    bool ClientIpAffinity,
    int AffinitySeconds,
    bool ExternalTrafficLocal,
    IReadOnlyList<ServiceEndpoint> Endpoints)
{
    /// <summary>Upstream's ServicePortName, <c>namespace/name:port</c>: the comment on every rule written for this port.</summary>
    public string Name => $"{Namespace}/{Service}:{PortName}";
}

/// <summary>The node a proxy runs on.</summary>
/// <param name="ClusterCidr">The pod network (e.g. 10.244.0.0/16): traffic to a cluster IP from outside it is masqueraded.</param>
public sealed record ProxyNode(string Name, IPAddress Address, IPNetwork? ClusterCidr);
