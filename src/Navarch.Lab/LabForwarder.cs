using System.Net;
using System.Net.Sockets;
using Navarch.Lab.Host;

namespace Navarch.Lab;

/// <summary>
/// Relays TCP connections from a loopback port of the root namespace to an address inside a lab namespace: each
/// accepted connection gets a socket opened inside the namespace (<see cref="NamespaceSockets"/>), and bytes are
/// copied both ways until either side closes. This is how kubectl on the host reaches the master's API server
/// without any route between the host and the lab.
/// </summary>
public sealed class LabForwarder(IPEndPoint listen, string netnsPath, IPEndPoint target)
{
    /// <summary>Serves until <paramref name="ct"/> is cancelled. Throws <see cref="SocketException"/> if the port is taken.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (!IPAddress.IsLoopback(listen.Address)) throw new ArgumentException($"the forwarder listens on loopback only, not {listen.Address}");
        using var listener = new TcpListener(listen);
        listener.Start(backlog: 128);
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try { client = await listener.AcceptSocketAsync(ct); }
            catch (OperationCanceledException) { return; }
            _ = RelayAsync(client, ct);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken ct)
    {
        using (client)
        {
            Socket upstream;
            try { upstream = await NamespaceSockets.ConnectAsync(netnsPath, target, ct); }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                return;
            }
            using (upstream)
            {
                client.NoDelay = true;
                await Task.WhenAll(PumpAsync(client, upstream, ct), PumpAsync(upstream, client, ct));
            }
        }
    }

    /// <summary>Copies until EOF, then half-closes the other side so that its reader sees EOF too.</summary>
    private static async Task PumpAsync(Socket from, Socket to, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (n == 0) break;
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, ct);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // One side went away: closing both (by the caller's using) ends the other pump.
            try { from.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
            try { to.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        }
    }
}
