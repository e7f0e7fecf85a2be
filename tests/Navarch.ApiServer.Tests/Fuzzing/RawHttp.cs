using System.Net.Sockets;
using System.Text;

namespace Navarch.ApiServer.Tests.Fuzzing;

/// <summary>Sends a request over a plain socket, to play clients that HttpClient won't: slow ones and ones that lie.</summary>
public static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="request"/> slowly or truncated and returns the status code of the answer, or null when the
    /// server closed the connection without one (fair for a body that never came).
    /// </summary>
    public static async Task<int?> SendAsync(int port, HostileRequest request, Random r, CancellationToken ct)
    {
        var body = request.Body ?? [];
        var announced = request.Delivery == Delivery.Truncated ? body.Length + r.Next(1, 5000) : body.Length;
        var head = new StringBuilder()
            .Append($"{request.Method} {request.Path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n")
            .Append(request.ContentType is null ? "" : $"Content-Type: {request.ContentType}\r\n")
            .Append($"Content-Length: {announced}\r\n\r\n");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, ct);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
            if (request.Delivery == Delivery.Slow)
            {
                var pieces = Math.Min(5, Math.Max(1, body.Length));
                var size = (body.Length + pieces - 1) / Math.Max(1, pieces);
                for (var at = 0; at < body.Length; at += size)
                {
                    await stream.WriteAsync(body.AsMemory(at, Math.Min(size, body.Length - at)), ct);
                    await stream.FlushAsync(ct);
                    await Task.Delay(r.Next(5, 30), ct);
                }
            }
            else
            {
                await stream.WriteAsync(body, ct);
                client.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The server answered early (a 413, a 400) and closed: its answer may still be there to read.
        }
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while (answer.Length < 12 && (n = await stream.ReadAsync(buffer, ct)) > 0) answer.Write(buffer, 0, n);
        }
        catch (IOException)
        {
            // Reset by the server after an incomplete body: no answer.
        }
        var text = Encoding.ASCII.GetString(answer.ToArray());
        return text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && text.Length >= 12 ? int.Parse(text.AsSpan(9, 3)) : null;
    }
}
