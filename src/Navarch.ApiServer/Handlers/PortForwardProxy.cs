using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Spdy;
using Navarch.Streaming;
using Navarch.Streaming.Spdy;

namespace Navarch.ApiServer.Handlers;

/// <summary>
/// <c>pods/portforward</c>: the SPDY session that names the ports runs between the client and the node's runtime,
/// so the API server only carries bytes, as upstream's does. It upgrades to the pod's agent
/// (<c>/portForward/{ns}/{pod}/{uid}</c>, which upgrades to the runtime) offering the client's protocols, then answers
/// the client: with the agent's 101 for SPDY/3.1 clients (kubectl before 1.31, and later ones falling back), or by
/// accepting the WebSocket of kubectl ≥ 1.31, whose binary messages tunnel the same SPDY bytes
/// (<c>SPDY/3.1+portforward.k8s.io</c>). WebSocket clients of the channel protocol (<c>v4.channel.k8s.io</c>: the
/// Python and JavaScript clients) get <see cref="PortForwardWebSocketBridge"/>, which runs the SPDY session itself.
/// </summary>
public sealed class PortForwardProxy(NodeProxy nodes, Kubelet.KubeletConnections agents)
{
    /// <summary>The port-forward protocol the client and the runtime speak over SPDY.</summary>
    public const string Protocol = "portforward.k8s.io";

    /// <summary>The prefix of WebSocket subprotocols that tunnel SPDY (upstream's WebsocketsSPDYTunnelingPrefix).</summary>
    public const string TunnelPrefix = "SPDY/3.1+";

    private static readonly string[] Parameters = ["ports"];

    public async Task HandleAsync(HttpContext ctx, RequestInfo info)
    {
        if (ctx.WebSockets.IsWebSocketRequest)
        {
            if (ctx.WebSockets.WebSocketRequestedProtocols.Any(p => p.StartsWith(TunnelPrefix, StringComparison.Ordinal))) await TunnelAsync(ctx, info);
            else await ChannelsAsync(ctx, info);
            return;
        }
        if (!SpdyExecBridge.IsUpgradeRequest(ctx.Request))
            throw ApiException.BadRequest($"Upgrade request required: port forwarding is served over SPDY/3.1 ({Protocol}) or a WebSocket tunnelling it ({TunnelPrefix}{Protocol})");
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true })
            throw ApiException.BadRequest("unable to upgrade: the connection cannot switch to SPDY/3.1 (an HTTP/1.1 request without a body is required)");
        var offered = SpdyUpgrade.Offered(ctx.Request.Headers[SpdyUpgrade.ProtocolHeader]);
        if (offered.Length == 0) throw ApiException.BadRequest($"unable to upgrade: no protocol offered in {SpdyUpgrade.ProtocolHeader}: want {Protocol}");

        await using var agent = await DialAgentAsync(ctx, info, offered);
        ctx.Response.Headers.Connection = "Upgrade";
        ctx.Response.Headers.Upgrade = SpdyUpgrade.UpgradeToken;
        ctx.Response.Headers[SpdyUpgrade.ProtocolHeader] = agent.Protocol;
        await using var client = await upgrade.UpgradeAsync();
        await RelayAsync(() => ByteRelay.RunAsync(client, agent.Stream, ctx.RequestAborted));
    }

    private async Task TunnelAsync(HttpContext ctx, RequestInfo info)
    {
        var offered = ctx.WebSockets.WebSocketRequestedProtocols
            .Where(p => p.StartsWith(TunnelPrefix, StringComparison.Ordinal)).Select(p => p[TunnelPrefix.Length..]).ToArray();
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        var key = ctx.Request.Headers.SecWebSocketKey.ToString();
        if (upgrade is not { IsUpgradableRequest: true } || key.Length == 0)
            throw ApiException.BadRequest("unable to upgrade: not an HTTP/1.1 WebSocket handshake with a Sec-WebSocket-Key");
        await using var agent = await DialAgentAsync(ctx, info, offered);
        using var socket = await AcceptTunnelAsync(ctx, upgrade, key, TunnelPrefix + agent.Protocol);
        await RelayAsync(() => ByteRelay.RunAsync(socket, agent.Stream, ctx.RequestAborted));
    }

    /// <summary>The channel protocol: the ports come from the query, the bridge opens their streams to the runtime.</summary>
    private async Task ChannelsAsync(HttpContext ctx, RequestInfo info)
    {
        var requested = ctx.WebSockets.WebSocketRequestedProtocols;
        var protocol = PortForwardWebSocketBridge.ChooseProtocol(requested)
            ?? throw ApiException.BadRequest($"unable to upgrade: requested protocol(s) are not supported: [{string.Join(", ", requested)}]; " +
                $"want {TunnelPrefix}{Protocol} or one of [{string.Join(", ", PortForwardWebSocketBridge.Protocols)}]");
        ushort[] ports;
        try
        {
            ports = PortForwardWebSocketBridge.ParsePorts(ctx.Request.Query["ports"]);
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest(e.Message);
        }
        await using var agent = await DialAgentAsync(ctx, info, [Protocol]);
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = protocol.Length == 0 ? null : protocol,
            KeepAliveInterval = TimeSpan.FromSeconds(30),
        });
        await RelayAsync(() => new PortForwardWebSocketBridge(socket, agent.Stream, ports).RunAsync(ctx.RequestAborted));
    }

    /// <summary>
    /// The WebSocket handshake by hand (RFC 6455 §4.2.2): .NET refuses subprotocols with a '/', which upstream's
    /// tunnelling names have, so the accepted protocol is written as a header and the socket made over the upgraded stream.
    /// </summary>
    private static async Task<WebSocket> AcceptTunnelAsync(HttpContext ctx, IHttpUpgradeFeature upgrade, string key, string protocol)
    {
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        ctx.Response.Headers.Connection = "Upgrade";
        ctx.Response.Headers.Upgrade = "websocket";
        ctx.Response.Headers.SecWebSocketAccept = accept;
        ctx.Response.Headers.SecWebSocketProtocol = protocol;
        var stream = await upgrade.UpgradeAsync();
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) });
    }

    /// <summary>Upgrades to the pod's agent; its refusal becomes the same Status upstream gives, an unreachable agent a 502.</summary>
    private async Task<SpdyConnection> DialAgentAsync(HttpContext ctx, RequestInfo info, IReadOnlyList<string> offered)
    {
        var (pod, agent) = await nodes.ResolveAgentAsync(ctx, info);
        var url = new Uri($"{agent.Url}/portForward/{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}/{pod.Metadata.Uid}{NodeProxy.Query(ctx, Parameters)}");
        var rejection = new Kubelet.KubeletConnections.Rejection();
        using var dial = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        dial.CancelAfter(Kubelet.KubeletConnections.DialTimeout);
        try
        {
            return await SpdyUpgrade.DialAsync(url, offered, dial.Token, agents.Check(agent, rejection), agents.ClientCertificates);
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            throw new ApiException(502, "BadGateway", $"error dialing backend: {rejection.Reason ?? "net/http: TLS handshake timeout"}");
        }
        catch (SpdyUpgradeException e) when (e.StatusCode is >= 400 and < 600)
        {
            throw new ApiException(e.StatusCode, NodeProxy.AgentErrorReason(e.StatusCode), e.Message);
        }
        catch (Exception e) when (e is SpdyUpgradeException or SocketException or IOException or AuthenticationException)
        {
            throw new ApiException(502, "BadGateway", $"error dialing backend: {rejection.Reason ?? e.Message}");
        }
    }

    private static async Task RelayAsync(Func<Task> relay)
    {
        try
        {
            await relay();
        }
        catch (OperationCanceledException)
        {
            // The client left or the server is stopping.
        }
    }
}
