using System.Net;
using System.Net.Sockets;
using Navarch.Lab.Host;

namespace Navarch.Testing;

/// <summary>
/// TCP connections opened inside a network namespace from a process in the root one, for tests: the lab's
/// <see cref="NamespaceSockets"/> (setns on a dedicated thread; see PLATFORM.md, "The lab"). Lets tests talk to
/// <c>127.0.0.1:PORT</c> of a node without any route.
/// </summary>
public static class LabSockets
{
    /// <summary>Connects to <paramref name="endpoint"/> as seen from inside the namespace at <paramref name="netnsPath"/> (e.g. /run/netns/NODE).</summary>
    public static Task<Socket> ConnectAsync(string netnsPath, IPEndPoint endpoint, CancellationToken cancellationToken = default) =>
        NamespaceSockets.ConnectAsync(netnsPath, endpoint, cancellationToken);

    /// <summary>An HTTP handler whose every connection is opened inside the namespace (hosts must be IP literals).</summary>
    public static SocketsHttpHandler Handler(string netnsPath) => NamespaceSockets.Handler(netnsPath);

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects inside the namespace (hosts must be IP literals).</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(string netnsPath) =>
        NamespaceSockets.ConnectCallback(netnsPath);
}
