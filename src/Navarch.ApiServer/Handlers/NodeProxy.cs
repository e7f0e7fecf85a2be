using System.Net.WebSockets;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Navarch.Api.Resources;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Kubelet;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Spdy;
using Navarch.Streaming;
using Navarch.Streaming.Spdy;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// <c>pods/log</c>, <c>pods/exec</c> and <c>pods/attach</c>: the node agent of the pod's node serves them (as the
/// kubelet does on :10250, paths <c>/containerLogs/{ns}/{pod}/{container}</c>, <c>/exec/…</c>, <c>/attach/…</c>);
/// the API server finds the node's address and relays, streaming logs and WebSocket frames unchanged. SPDY/3.1
/// clients (kubectl before 1.30) are translated to the agent's WebSocket by <see cref="Spdy.SpdyExecBridge"/>.
/// </summary>
public sealed class NodeProxy(ObjectRegistry registry, KubeletConnections agents)
{
    public const int DefaultAgentPort = 10250;

    private static readonly string[] LogParameters = ["follow", "tailLines", "previous", "timestamps", "sinceSeconds", "sinceTime", "limitBytes"];
    private static readonly string[] ExecParameters = ["command", "stdin", "stdout", "stderr", "tty"];

    public async Task LogsAsync(HttpContext ctx, RequestInfo info)
    {
        var (pod, container, agent) = await ResolveAsync(ctx, info);
        var url = $"{agent.Url}/containerLogs/{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}/{container}{Query(ctx, LogParameters)}";
        var (http, rejection) = agents.Http(agent);
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ctx.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(502, "BadGateway", $"Get \"{url}\": {rejection.Reason ?? e.Message}");
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            // SocketsHttpHandler's ConnectTimeout covers the TLS handshake: a listener that never answers it ends here.
            throw new ApiException(502, "BadGateway", $"Get \"{url}\": {rejection.Reason ?? "net/http: TLS handshake timeout"}");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                // Upstream wraps the kubelet's plain-text errors in a Status.
                var text = (await response.Content.ReadAsStringAsync(ctx.RequestAborted)).Trim();
                var code = (int)response.StatusCode;
                throw new ApiException(code, AgentErrorReason(code),
                    text.Length > 0 ? text : $"the node agent answered {code}");
            }
            ctx.Response.StatusCode = (int)response.StatusCode;
            ctx.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "text/plain";
            await using var body = await response.Content.ReadAsStreamAsync(ctx.RequestAborted);
            var buffer = new byte[16 * 1024];
            int n;
            while ((n = await body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
            {
                await ctx.Response.Body.WriteAsync(buffer.AsMemory(0, n), ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            }
        }
    }

    /// <summary><c>pods/exec</c>: a command run in a container.</summary>
    public Task ExecAsync(HttpContext ctx, RequestInfo info) => RemoteCommandAsync(ctx, info, "exec");

    /// <summary><c>pods/attach</c>: the streams of a container's main process (<c>kubectl attach</c>, <c>kubectl run -it</c>).</summary>
    public Task AttachAsync(HttpContext ctx, RequestInfo info) => RemoteCommandAsync(ctx, info, "attach");

    /// <summary>Exec and attach speak the same protocols; only the agent's path (<paramref name="action"/>) differs.</summary>
    private async Task RemoteCommandAsync(HttpContext ctx, RequestInfo info, string action)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            if (!SpdyExecBridge.IsUpgradeRequest(ctx.Request))
                throw ApiException.BadRequest($"Upgrade request required: {action} is served over WebSocket (v5.channel.k8s.io / v4.channel.k8s.io) or SPDY/3.1 (v4.channel.k8s.io, v3, v2, channel.k8s.io)");
            await RemoteCommandOverSpdyAsync(ctx, info, action);
            return;
        }
        using var upstream = await DialAgentAsync(ctx, info, action, ctx.WebSockets.WebSocketRequestedProtocols);
        using var client = await ctx.WebSockets.AcceptWebSocketAsync(upstream.SubProtocol);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        var toAgent = RelayAsync(client, upstream, done.Token);
        var toClient = RelayAsync(upstream, client, done.Token);
        // When one side closes, give the other a moment to answer the close handshake: cutting the
        // connection at once makes kubectl report "connection reset by peer".
        await Task.WhenAny(toAgent, toClient);
        await Task.WhenAny(Task.WhenAll(toAgent, toClient), Task.Delay(TimeSpan.FromSeconds(5), ctx.RequestAborted).ContinueWith(_ => { }, CancellationToken.None));
        await done.CancelAsync();
        foreach (var socket in new WebSocket[] { client, upstream })
        {
            if (socket.State is WebSocketState.CloseReceived)
            {
                try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None); }
                catch (WebSocketException) { }
            }
        }
    }

    /// <summary>
    /// kubectl before 1.30 speaks SPDY/3.1 only: connect to the agent first (so a dial failure is still a plain 502),
    /// then switch protocols and translate between the client's SPDY streams and the agent's WebSocket channels.
    /// </summary>
    private async Task RemoteCommandOverSpdyAsync(HttpContext ctx, RequestInfo info, string action)
    {
        var protocol = SpdyExecBridge.ChooseProtocol(ctx.Request.Headers[SpdyUpgrade.ProtocolHeader])
            ?? throw ApiException.BadRequest($"unable to upgrade: none of the offered protocols [{string.Join(", ", ctx.Request.Headers[SpdyUpgrade.ProtocolHeader].ToArray())}] is supported: want one of [{string.Join(", ", SpdyExecBridge.Protocols)}]");
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
            throw ApiException.BadRequest("unable to upgrade: the connection cannot switch to SPDY/3.1 (an HTTP/1.1 request without a body is required)");
        using var upstream = await DialAgentAsync(ctx, info, action, [RemoteCommand.V5, RemoteCommand.V4]);
        var query = ctx.Request.Query;
        var streams = ExecStreams.Expected(protocol, Flag(query, "stdin"), Flag(query, "stdout"), Flag(query, "stderr"), Flag(query, "tty"));
        ctx.Response.Headers.Connection = "Upgrade";
        ctx.Response.Headers.Upgrade = SpdyUpgrade.UpgradeToken;
        ctx.Response.Headers[SpdyUpgrade.ProtocolHeader] = protocol;
        await using var connection = await upgrade.UpgradeAsync();
        await new SpdyExecBridge(connection, upstream, protocol, streams).RunAsync(ctx.RequestAborted);
    }

    /// <summary>Opens the exec or attach WebSocket to the agent of the pod's node, offering <paramref name="protocols"/>; 502 if it cannot.</summary>
    private async Task<ClientWebSocket> DialAgentAsync(HttpContext ctx, RequestInfo info, string action, IEnumerable<string> protocols)
    {
        var (pod, container, agent) = await ResolveAsync(ctx, info);
        var url = new Uri($"{agent.Url.Replace("https://", "wss://")}/{action}/{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}/{container}{Query(ctx, ExecParameters)}");
        var upstream = new ClientWebSocket();
        foreach (var protocol in protocols) upstream.Options.AddSubProtocol(protocol);
        upstream.Options.CollectHttpResponseDetails = true;
        var rejection = agents.Configure(upstream.Options, agent);
        using var dial = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        dial.CancelAfter(KubeletConnections.DialTimeout);
        try
        {
            await upstream.ConnectAsync(url, dial.Token);
            return upstream;
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            upstream.Dispose();
            throw new ApiException(502, "BadGateway", $"error dialing backend: {rejection.Reason ?? "net/http: TLS handshake timeout"}");
        }
        catch (WebSocketException e)
        {
            var refused = (int)upstream.HttpStatusCode;
            upstream.Dispose();
            // The agent answered, but not with a switch: its own refusal (401, 403, 404) goes to the client as it is.
            if (refused is >= 400 and < 600 && rejection.Reason is null)
                throw new ApiException(refused, AgentErrorReason(refused), $"error dialing backend: the node agent answered {refused} {(System.Net.HttpStatusCode)refused}");
            throw new ApiException(502, "BadGateway", $"error dialing backend: {rejection.Reason ?? e.Message}");
        }
    }

    /// <summary>The Status reason for an error code the agent answered.</summary>
    internal static string AgentErrorReason(int code) =>
        code switch { 400 => "BadRequest", 401 => "Unauthorized", 403 => "Forbidden", 404 => "NotFound", 501 => "NotImplemented", 502 => "BadGateway", 503 => "ServiceUnavailable", _ => "InternalError" };

    private static bool Flag(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var v) && v.ToString() is "1" or "true" or "True";

    private static async Task RelayAsync(WebSocket from, WebSocket to, CancellationToken ct)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                var r = await from.ReceiveAsync(buffer, ct);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    if (to.State == WebSocketState.Open)
                        await to.CloseOutputAsync(r.CloseStatus ?? WebSocketCloseStatus.NormalClosure, r.CloseStatusDescription, ct);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, r.Count), r.MessageType, r.EndOfMessage, ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    private async Task<(V1Pod Pod, string Container, AgentTarget Agent)> ResolveAsync(HttpContext ctx, RequestInfo info)
    {
        var (pod, agent) = await ResolveAgentAsync(ctx, info);
        var containers = (pod.Spec?.Containers ?? []).Select(c => c.Name).ToList();
        var container = ctx.Request.Query["container"].ToString();
        if (container.Length == 0)
        {
            if (containers.Count != 1)
                throw ApiException.BadRequest($"a container name must be specified for pod {pod.Metadata.Name}, choose one of: [{string.Join(' ', containers)}]");
            container = containers[0];
        }
        else if (!containers.Contains(container) && !(pod.Spec?.InitContainers ?? []).Any(c => c.Name == container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {pod.Metadata.Name}");
        }
        return (pod, container, agent);
    }

    /// <summary>The pod and its node's agent (name, address, port); 400 before it is scheduled.</summary>
    internal async Task<(V1Pod Pod, AgentTarget Agent)> ResolveAgentAsync(HttpContext ctx, RequestInfo info)
    {
        var pod = (V1Pod)(await registry.GetAsync(ResourceCatalog.Pods, info.Namespace, info.Name!, ctx.RequestAborted)).Object;
        if (string.IsNullOrEmpty(pod.Spec?.NodeName))
            throw ApiException.BadRequest($"pod {pod.Metadata.Name} does not have a host assigned");
        var node = (V1Node?)(await registry.TryGetAsync(ResourceCatalog.Nodes, null, pod.Spec.NodeName, ctx.RequestAborted))?.Object
            ?? throw ApiException.NotFound("nodes", pod.Spec.NodeName);
        var address = node.Status?.Addresses?.FirstOrDefault(a => a.Type == "InternalIP")?.Address
            ?? throw new ApiException(503, "ServiceUnavailable", $"node {node.Metadata.Name} has no InternalIP address");
        var port = node.Status?.DaemonEndpoints?.KubeletEndpoint?.Port ?? DefaultAgentPort;
        if (!System.Net.IPAddress.TryParse(address, out var ip))
            throw new ApiException(503, "ServiceUnavailable", $"node {node.Metadata.Name} has an InternalIP that is not an IP address: \"{address}\"");
        if (port is < 1 or > 65535)
            throw new ApiException(503, "ServiceUnavailable", $"node {node.Metadata.Name} names kubelet port {port}, which is not a port");
        return (pod, new AgentTarget(node.Metadata.Name, ip, port));
    }

    internal static string Query(HttpContext ctx, string[] names)
    {
        var parts = new List<string>();
        foreach (var name in names)
            foreach (var value in ctx.Request.Query[name])
                parts.Add($"{name}={Uri.EscapeDataString(value ?? "")}");
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
