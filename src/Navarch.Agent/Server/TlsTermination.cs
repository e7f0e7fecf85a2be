using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Navarch.Agent.Server;

/// <summary>
/// TLS as a Kestrel connection middleware: wraps each accepted connection in an <see cref="SslStream"/> before HTTP
/// parsing starts. Kestrel's own <c>UseHttps</c> needs the web host's service container, which costs the agent more
/// memory than everything else on its :10250 server together; this does the same job over the same TLS stack.
/// </summary>
internal static class TlsTermination
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The middleware: handshake with the certificate <paramref name="certificate"/> gives at that moment (it may be
    /// replaced while serving), then HTTP/1.1 over the decrypted stream. With <paramref name="askClientCertificate"/>
    /// a client certificate is asked for but not required, and any is accepted here: the authenticator checks its
    /// chain, so that a wrong one gets a 401 rather than a failed handshake (as upstream's servers do).
    /// </summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> With(Func<X509Certificate2> certificate, bool askClientCertificate) => next => async connection =>
    {
        var transport = connection.Transport;
        await using var tls = new SslStream(new DuplexPipeStream(transport), leaveInnerStreamOpen: false);
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
        {
            handshake.CancelAfter(HandshakeTimeout);
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = certificate(),
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                    ClientCertificateRequired = askClientCertificate,
                    RemoteCertificateValidationCallback = askClientCertificate ? (_, _, _, _) => true : null,
                }, handshake.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                return; // a client that does not finish the handshake gets nothing more
            }
        }
        if (tls.RemoteCertificate is { } remote)
            connection.Features.Set<ITlsConnectionFeature>(new TlsConnectionFeature(remote as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(remote.GetRawCertData())));
        connection.Transport = new StreamPipe(tls);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    };

    /// <summary>The client certificate of the connection, where Kestrel's requests find it (<c>HttpContext.Connection.ClientCertificate</c>).</summary>
    private sealed class TlsConnectionFeature(X509Certificate2 certificate) : ITlsConnectionFeature
    {
        public X509Certificate2? ClientCertificate { get; set; } = certificate;

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);
    }

    /// <summary>The decrypted side, as the pipe pair Kestrel reads requests from and writes responses to.</summary>
    private sealed class StreamPipe(Stream stream) : IDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>The socket's pipe pair as one stream, which is what <see cref="SslStream"/> wraps.</summary>
    private sealed class DuplexPipeStream(IDuplexPipe pipe) : Stream
    {
        private readonly Stream _input = pipe.Input.AsStream(leaveOpen: true);
        private readonly Stream _output = pipe.Output.AsStream(leaveOpen: true);

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _input.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _output.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _output.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Flush() => _output.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _input.Dispose();
                _output.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
