namespace Navarch.Client;

/// <summary>
/// Sends each request to one of several API servers: the one that last answered, and when it cannot be connected to
/// (refused, unreachable: nothing was sent, so even a write is safe to send again) the next one in the list. A request
/// that failed after it reached a server is not sent again (a write may have been applied): the caller retries as it
/// would with one server, and its next request finds the live server. This is the kubelet's view of several masters
/// without a load balancer in front of them.
/// </summary>
public sealed class ServerFailoverHandler : DelegatingHandler
{
    private readonly IReadOnlyList<Uri> _servers;
    private int _current; // index of the server that answered last

    public ServerFailoverHandler(IReadOnlyList<Uri> servers)
    {
        if (servers.Count == 0) throw new ArgumentException("at least one server is needed", nameof(servers));
        _servers = servers;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var first = Volatile.Read(ref _current);
        for (var attempt = 0; ; attempt++)
        {
            var index = (first + attempt) % _servers.Count;
            request.RequestUri = Rebase(request.RequestUri!, _servers[index]);
            try
            {
                var response = await base.SendAsync(request, ct).ConfigureAwait(false);
                if (attempt > 0) Volatile.Write(ref _current, index);
                return response;
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && attempt + 1 < _servers.Count)
            {
                // Not connected: try the next server.
            }
        }
    }

    private static Uri Rebase(Uri request, Uri server) =>
        new UriBuilder(request) { Scheme = server.Scheme, Host = server.Host, Port = server.Port }.Uri;
}
