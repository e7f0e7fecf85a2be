using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// A listener on 127.0.0.1 that records what reaches it: with a certificate it answers TLS and records the decrypted
/// bytes (any HTTP request would show there), without one it records the raw bytes (a TLS ClientHello, never HTTP).
/// </summary>
public sealed class RecordingListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2? _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly MemoryStream _received = new();
    private readonly Task _loop;
    private int _connections;

    public RecordingListener(X509Certificate2? certificate)
    {
        _certificate = certificate;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int Connections => Volatile.Read(ref _connections);
    public string Received { get { lock (_received) return Encoding.Latin1.GetString(_received.ToArray()); } }
    /// <summary>Whether anything that looks like an HTTP request line arrived.</summary>
    public bool SawHttp => Received.Contains(" HTTP/1.1") || Received.Contains("GET /") || Received.Contains("POST /");

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = Task.Run(() => HandleAsync(client));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                if (_certificate is not null)
                {
                    var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                    stream = tls;
                }
                var buffer = new byte[4096];
                int n;
                while ((n = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                    lock (_received) _received.Write(buffer, 0, n);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException)
            {
                // The caller gave up (a refused certificate ends the handshake): that is what the tests look for.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
