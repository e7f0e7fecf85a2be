namespace Navarch.Proxy;

/// <summary>One way of making service ports reachable on this node (a proxy mode).</summary>
public interface IProxier : IAsyncDisposable
{
    /// <summary>
    /// Programs the node for exactly <paramref name="ports"/>, the whole table each time: what is not in it is removed.
    /// Throws when the node could not be programmed; the caller retries with the then-current table.
    /// </summary>
    Task SyncAsync(IReadOnlyList<ServicePort> ports, CancellationToken ct);
}

/// <summary>The proxy modes of <c>navarch agent --proxy-mode</c>.</summary>
public enum ProxyMode
{
    /// <summary>No proxy on this node.</summary>
    None,

    /// <summary>The seed's (2015) mode: a relay port per service port and the four KUBE-PORTALS/KUBE-NODEPORT chains.</summary>
    Userspace,

    /// <summary>Kernel DNAT: KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-*, KUBE-NODEPORTS and masquerade marking.</summary>
    Iptables,
}
