using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// An HTTPS listener on 127.0.0.1 with a self-signed certificate that answers every request with one JSON body: a
/// machine posing as the API server to a joining agent. Stops on dispose.
/// </summary>
public sealed class ImpostorServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ImpostorServer(string body)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var self = new CertificateRequest("CN=impostor", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        _certificate = X509CertificateLoader.LoadPkcs12(self.Export(X509ContentType.Pkcs12), null);
        _listener.Start();
        _loop = Task.Run(() => ServeAsync(Encoding.UTF8.GetBytes(body)));
    }

    public string Url => $"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    private async Task ServeAsync(byte[] body)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient connection;
            try { connection = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = Task.Run(async () =>
            {
                using (connection)
                {
                    try
                    {
                        await using var tls = new SslStream(connection.GetStream());
                        await tls.AuthenticateAsServerAsync(_certificate);
                        var request = new StringBuilder();
                        var buffer = new byte[4096];
                        while (!request.ToString().Contains("\r\n\r\n"))
                        {
                            var n = await tls.ReadAsync(buffer, _stop.Token);
                            if (n == 0) return;
                            request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        var head = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                        await tls.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                        await tls.WriteAsync(body, _stop.Token);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException) { }
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _certificate.Dispose();
    }
}
