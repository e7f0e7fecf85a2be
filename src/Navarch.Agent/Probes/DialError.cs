using System.Net.Sockets;

namespace Navarch.Agent.Probes;

/// <summary>
/// Go's wording of connection failures (<c>dial tcp 10.244.0.5:80: connect: connection refused</c>), because probe
/// messages end up in events and users compare them with upstream's.
/// </summary>
public static class DialError
{
    /// <summary>The text after <c>dial tcp HOST:PORT: </c> for a socket error.</summary>
    public static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connect: connection refused",
        SocketError.HostUnreachable => "connect: no route to host",
        SocketError.NetworkUnreachable => "connect: network is unreachable",
        SocketError.TimedOut => "i/o timeout",
        SocketError.ConnectionReset => "read: connection reset by peer",
        _ => $"connect: {error}",
    };

    /// <summary>The socket error inside <paramref name="e"/>, if there is one.</summary>
    public static SocketException? Find(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is SocketException s) return s;
        return null;
    }

    /// <summary>The <c>host:port</c> Go prints, with IPv6 hosts in brackets.</summary>
    public static string HostPort(string host, int port) => host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
}
