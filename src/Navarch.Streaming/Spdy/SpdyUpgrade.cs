using System.Security.Cryptography.X509Certificates;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Navarch.Streaming.Spdy;

/// <summary>A connection switched to SPDY/3.1, and the remote-command protocol the server chose.</summary>
public sealed record SpdyConnection(Stream Stream, string Protocol) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

/// <summary>
/// The server refused to switch to SPDY/3.1; the message holds its status line and what it said, and
/// <see cref="StatusCode"/> its HTTP status (0 when it did not answer with one).
/// </summary>
public sealed class SpdyUpgradeException(string message, int statusCode = 0) : Exception(message)
{
    public int StatusCode => statusCode;
}

/// <summary>The HTTP/1.1 upgrade every SPDY remote command starts with (upstream's httpstream/spdy upgrader and round tripper).</summary>
public static class SpdyUpgrade
{
    /// <summary>The Upgrade token SPDY clients send and expect back.</summary>
    public const string UpgradeToken = "SPDY/3.1";

    /// <summary>Request header offering protocols (once per value) and response header naming the chosen one.</summary>
    public const string ProtocolHeader = "X-Stream-Protocol-Version";

    /// <summary>Whether a request asks to upgrade to SPDY/3.1 (upstream's check: the token appears in both headers).</summary>
    public static bool IsRequested(string? connection, string? upgrade) =>
        (connection ?? "").Contains("upgrade", StringComparison.OrdinalIgnoreCase)
        && (upgrade ?? "").Contains(UpgradeToken, StringComparison.OrdinalIgnoreCase);

    /// <summary>The protocols a client offers in its <see cref="ProtocolHeader"/> values (repeated, or comma-separated).</summary>
    public static string[] Offered(IEnumerable<string?> headerValues) =>
        headerValues.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();

    // A response head longer than this is not from a streaming server; and we read at most this much of a refusal's body.
    private const int MaxHeadLength = 16 * 1024;
    private const int MaxBodyShown = 4 * 1024;

    /// <summary>
    /// Connects to <paramref name="url"/> (http, as runtimes serve their streams on loopback, or https, checked by
    /// <paramref name="certificateCheck"/> or else the system's trust), POSTs the upgrade offering
    /// <paramref name="protocols"/>, and returns the switched connection. Throws <see cref="SpdyUpgradeException"/>
    /// when the server answers anything but 101 with one of the protocols, and <see cref="SocketException"/>,
    /// <see cref="IOException"/> or <see cref="System.Security.Authentication.AuthenticationException"/> when it
    /// cannot be reached.
    /// </summary>
    public static async Task<SpdyConnection> DialAsync(Uri url, IReadOnlyList<string> protocols, CancellationToken ct,
        RemoteCertificateValidationCallback? certificateCheck = null, X509CertificateCollection? clientCertificates = null)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            throw new SpdyUpgradeException($"unsupported stream URL scheme \"{url.Scheme}\" in {url}: want http or https");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(url.Host, url.Port, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (url.Scheme == Uri.UriSchemeHttps)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false, certificateCheck);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = url.IdnHost, ClientCertificates = clientCertificates }, ct);
            }
            var request = new StringBuilder()
                .Append("POST ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\n")
                .Append("Host: ").Append(url.Authority).Append("\r\n")
                .Append("Connection: Upgrade\r\n")
                .Append("Upgrade: ").Append(UpgradeToken).Append("\r\n");
            foreach (var protocol in protocols) request.Append(ProtocolHeader).Append(": ").Append(protocol).Append("\r\n");
            request.Append("Content-Length: 0\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), ct);

            var (status, headers) = ParseHead(await ReadHeadAsync(stream, ct));
            if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                throw new SpdyUpgradeException($"{url.GetLeftPart(UriPartial.Authority)} refused the upgrade: {status}{await ReadBodyAsync(stream, headers, ct)}", StatusCodeOf(status));
            var chosen = headers.GetValueOrDefault(ProtocolHeader.ToLowerInvariant(), "");
            if (!protocols.Contains(chosen))
                throw new SpdyUpgradeException($"{url.GetLeftPart(UriPartial.Authority)} chose protocol \"{chosen}\", not one of [{string.Join(", ", protocols)}]");
            return new SpdyConnection(stream, chosen);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads up to the blank line, one byte at a time: what follows it is already SPDY and must stay in the stream.</summary>
    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken ct)
    {
        var head = new List<byte>(256);
        var one = new byte[1];
        while (head.Count < MaxHeadLength)
        {
            if (await stream.ReadAsync(one, ct) == 0) throw new SpdyUpgradeException("the stream server closed the connection before answering the upgrade");
            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
                return Encoding.ASCII.GetString(head.ToArray());
        }
        throw new SpdyUpgradeException($"the stream server's response head exceeds {MaxHeadLength} bytes");
    }

    private static int StatusCodeOf(string statusLine) =>
        statusLine.Split(' ') is [_, var code, ..] && int.TryParse(code, out var n) ? n : 0;

    private static (string Status, Dictionary<string, string> Headers) ParseHead(string head)
    {
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0) headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        return (lines.FirstOrDefault() ?? "", headers);
    }

    private static async Task<string> ReadBodyAsync(Stream stream, Dictionary<string, string> headers, CancellationToken ct)
    {
        if (!int.TryParse(headers.GetValueOrDefault("content-length"), out var length) || length <= 0) return "";
        var body = new byte[Math.Min(length, MaxBodyShown)];
        var read = 0;
        while (read < body.Length && await stream.ReadAsync(body.AsMemory(read), ct) is var n and > 0) read += n;
        var text = Encoding.UTF8.GetString(body, 0, read).Trim();
        return text.Length == 0 ? "" : $": {text}";
    }
}
