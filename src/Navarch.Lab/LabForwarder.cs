using System.Net;
using System.Net.Sockets;
using Navarch.Lab.Host;

namespace Navarch.Lab;

/// <summary>
/// Relays TCP connections from a loopback port of the root namespace to an address inside a lab namespace: each
/// accepted connection gets a socket opened inside the namespace (<see cref="NamespaceSockets"/>), and bytes are
/// copied both ways until either side closes. This is how kubectl on the host reaches the master's API server
/// without any route between the host and the lab. With several targets (the API servers of several masters) each
/// connection goes to the one that accepted last, or else the next one that accepts: a dead master is skipped.
/// </summary>
public sealed class LabForwarder(IPEndPoint listen, string netnsPath, IReadOnlyList<IPEndPoint> targets)
{
    private int _current; // index of the target that accepted last

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
            if (await ConnectAnyAsync(ct) is not { } upstream) return;
            using (upstream)
            {
                client.NoDelay = true;
                await Task.WhenAll(PumpAsync(client, upstream, ct), PumpAsync(upstream, client, ct));
            }
        }
    }

    /// <summary>A socket to the first target that accepts, starting with the one that accepted last; null when none does.</summary>
    private async Task<Socket?> ConnectAnyAsync(CancellationToken ct)
    {
        var first = Volatile.Read(ref _current);
        for (var attempt = 0; attempt < targets.Count; attempt++)
        {
            var index = (first + attempt) % targets.Count;
            try
            {
                var socket = await NamespaceSockets.ConnectAsync(netnsPath, targets[index], ct);
                Volatile.Write(ref _current, index);
                return socket;
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // Refused or unreachable: the next target.
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return null;
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
