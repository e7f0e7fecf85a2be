using System.Net.Sockets;
using Grpc.Net.Client;

namespace Navarch.Cri;

/// <summary>Turns a CRI endpoint (<c>unix:///run/containerd/containerd.sock</c>) into a gRPC channel over its unix socket.</summary>
public static class RuntimeEndpoint
{
    private const string UnixScheme = "unix://";

    /// <summary>
    /// The socket path of <paramref name="endpoint"/>: <c>unix:///PATH</c> or a bare absolute path. Throws
    /// <see cref="ArgumentException"/> naming the endpoint for anything else (only unix sockets are supported).
    /// </summary>
    public static string SocketPath(string endpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        var path = endpoint.StartsWith(UnixScheme, StringComparison.Ordinal) ? endpoint[UnixScheme.Length..] : endpoint;
        if (!path.StartsWith('/'))
            throw new ArgumentException($"runtime endpoint \"{endpoint}\" is not unix:///ABSOLUTE/PATH", nameof(endpoint));
        return path;
    }

    /// <summary>The endpoint form of a socket path: <c>unix://PATH</c>.</summary>
    public static string FromSocketPath(string socketPath) => UnixScheme + socketPath;

    /// <summary>
    /// A channel whose every connection goes to the unix socket at <paramref name="socketPath"/> (the
    /// address <c>http://localhost</c> only names the HTTP/2 authority). Cancelling a call's token throws
    /// <see cref="OperationCanceledException"/> rather than a Cancelled status.
    /// </summary>
    public static GrpcChannel OpenChannel(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            ThrowOperationCanceledOnCancellation = true,
            // Container listings on a busy node exceed the 4 MiB default.
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
    }
}
