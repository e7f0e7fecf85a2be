using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Navarch.Lab.Host;

/// <summary>
/// TCP connections opened inside a network namespace by a process of the root one (PLATFORM.md, "The lab"): a
/// dedicated thread enters the namespace (<c>setns</c>), creates and connects the socket, and ends; the socket
/// keeps its namespace and works from any thread. No route between the root namespace and the lab is needed.
/// </summary>
public static class NamespaceSockets
{
    /// <summary>Connects to <paramref name="endpoint"/> as seen from inside the namespace at <paramref name="netnsPath"/> (e.g. /run/netns/NODE).</summary>
    public static Task<Socket> ConnectAsync(string netnsPath, IPEndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            // This OS thread is in the other namespace from here on; it ends right after, so nothing else runs on it.
            try
            {
                using var ns = File.OpenHandle(netnsPath, FileMode.Open, FileAccess.Read);
                if (LibC.SetNs((int)ns.DangerousGetHandle(), LibC.CloneNewNet) != 0)
                    throw new IOException($"setns({netnsPath}) failed: errno {Marshal.GetLastPInvokeError()}");
                var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Connect(endpoint);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                done.SetResult(socket);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "netns-connect" };
        thread.Start();
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>An HTTP handler whose every connection is opened inside the namespace (hosts must be IP literals).</summary>
    public static SocketsHttpHandler Handler(string netnsPath) => new() { UseProxy = false, ConnectCallback = ConnectCallback(netnsPath) };

    /// <summary>A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects inside the namespace (hosts must be IP literals).</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(string netnsPath) => async (context, ct) =>
    {
        var address = IPAddress.Parse(context.DnsEndPoint.Host);
        var socket = await ConnectAsync(netnsPath, new IPEndPoint(address, context.DnsEndPoint.Port), ct);
        return new NetworkStream(socket, ownsSocket: true);
    };
}
