using System.Net.WebSockets;

namespace Navarch.Streaming;

/// <summary>
/// Carries an upgraded connection's bytes between two peers unchanged, for protocols whose session runs end to end
/// (port forwarding's SPDY between kubectl and the runtime). Both calls return when either side ends or breaks, and
/// never throw but for cancellation; the caller disposes what it opened.
/// </summary>
public static class ByteRelay
{
    private const int BufferSize = 32 * 1024;

    /// <summary>Copies both ways between <paramref name="left"/> and <paramref name="right"/>.</summary>
    public static async Task RunAsync(Stream left, Stream right, CancellationToken ct)
    {
        await UntilEitherEndsAsync(done => CopyAsync(left, right, done), done => CopyAsync(right, left, done), ct);
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Copies both ways between a WebSocket that tunnels the bytes in binary messages (upstream's
    /// <c>SPDY/3.1+</c> subprotocols: any message boundaries, no channel byte) and <paramref name="stream"/>;
    /// closes the WebSocket normally at the end, which upstream's tunnel reads as the end of the connection.
    /// </summary>
    public static async Task RunAsync(WebSocket socket, Stream stream, CancellationToken ct)
    {
        await UntilEitherEndsAsync(done => FromSocketAsync(socket, stream, done), done => ToSocketAsync(stream, socket, done), ct);
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
                socket.Abort();
            }
        }
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Runs both directions; when one ends, cancels the other and waits for it.</summary>
    private static async Task UntilEitherEndsAsync(Func<CancellationToken, Task> one, Func<CancellationToken, Task> other, CancellationToken ct)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var copies = new[] { one(done.Token), other(done.Token) };
        await Task.WhenAny(copies);
        await done.CancelAsync();
        await Task.WhenAll(copies);
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, ct)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, n), ct);
                await to.FlushAsync(ct);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static async Task FromSocketAsync(WebSocket socket, Stream to, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var r = await socket.ReceiveAsync(buffer, ct);
                if (r.MessageType == WebSocketMessageType.Close) return;
                if (r.Count == 0) continue;
                await to.WriteAsync(buffer.AsMemory(0, r.Count), ct);
                await to.FlushAsync(ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static async Task ToSocketAsync(Stream from, WebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[BufferSize];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, ct)) > 0)
                await socket.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, endOfMessage: true, ct);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
