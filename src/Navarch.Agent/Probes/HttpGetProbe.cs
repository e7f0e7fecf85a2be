using System.Net.Http.Headers;
using k8s.Models;

namespace Navarch.Agent.Probes;

/// <summary>
/// The <c>httpGet</c> probe: a GET to <c>scheme://host:port/path</c> (host defaults to the pod IP) with the probe's
/// headers; any status from 200 to 399 passes. Like upstream it never reuses connections, does not follow
/// redirects and does not verify HTTPS certificates.
/// </summary>
public sealed class HttpGetProbe(HttpMessageInvoker client, TimeProvider time)
{
    /// <summary>The User-Agent upstream's kubelet sends.</summary>
    public const string UserAgent = "kube-probe/1.32";

    /// <summary>A client set up the way probes need (no pooling, no redirects, no proxy, any certificate).</summary>
    public static HttpMessageInvoker CreateClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    });

    /// <summary>Runs the probe once against <paramref name="target"/>.</summary>
    public async Task<ProbeOutcome> RunAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var action = target.Probe.HttpGet!;
        var port = ProbePort.Resolve(action.Port, target.Container, out var portError);
        if (port is null) return ProbeOutcome.Error(portError);
        var scheme = string.IsNullOrEmpty(action.Scheme) ? "http" : action.Scheme.ToLowerInvariant();
        var host = string.IsNullOrEmpty(action.Host) ? target.PodIp : action.Host;
        var path = action.Path ?? "";
        if (!path.StartsWith('/')) path = "/" + path;
        var url = $"{scheme}://{DialError.HostPort(host, port.Value)}{path}";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return ProbeOutcome.Error($"invalid probe URL \"{url}\"");

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.ConnectionClose = true;
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
        foreach (var header in action.HttpHeaders ?? [])
        {
            if (header.Name.Equals("Host", StringComparison.OrdinalIgnoreCase)) { request.Headers.Host = header.Value; continue; }
            request.Headers.Remove(header.Name);
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            using var response = await client.SendAsync(request, linked.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 400
                ? ProbeOutcome.Success()
                : ProbeOutcome.Failure($"HTTP probe failed with statuscode: {code}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.Failure($"Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (HttpRequestException e)
        {
            var socket = DialError.Find(e);
            var detail = socket is null ? e.Message : $"dial tcp {DialError.HostPort(host, port.Value)}: {DialError.Describe(socket.SocketErrorCode)}";
            return ProbeOutcome.Failure($"Get \"{url}\": {detail}");
        }
    }
}
