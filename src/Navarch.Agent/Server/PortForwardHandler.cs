using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Navarch.Cri;
using Navarch.Streaming;
using Navarch.Streaming.Spdy;

namespace Navarch.Agent.Server;

/// <summary>
/// <c>/portForward/{ns}/{pod}[/{uid}]</c>, a SPDY/3.1 upgrade (<c>portforward.k8s.io</c>), served as the kubelet
/// serves it with a CRI runtime: CRI PortForward gives the URL of the runtime's streaming server, the agent upgrades
/// there with the protocols the client offered, answers the client with the runtime's 101, and from then on relays
/// bytes. The SPDY session, whose streams name the ports, runs between the client and the runtime.
/// </summary>
public sealed class PortForwardHandler(ICriRuntime runtime)
{
    /// <summary>Serves one port-forward request.</summary>
    public async Task HandleAsync(HttpContext ctx, string ns, string pod, string? uid)
    {
        var upgrade = ctx.Features.Get<IHttpUpgradeFeature>();
        if (!SpdyUpgrade.IsRequested(ctx.Request.Headers.Connection, ctx.Request.Headers.Upgrade) || upgrade is not { IsUpgradableRequest: true })
        {
            await AgentRoutes.PlainAsync(ctx, 400, "Upgrade request required: port forwarding is served over SPDY/3.1 (portforward.k8s.io)");
            return;
        }
        var offered = SpdyUpgrade.Offered(ctx.Request.Headers[SpdyUpgrade.ProtocolHeader]);
        if (offered.Length == 0)
        {
            await AgentRoutes.PlainAsync(ctx, 400, $"unable to upgrade: no protocol offered in {SpdyUpgrade.ProtocolHeader}");
            return;
        }

        var sandboxes = await runtime.ListSandboxesAsync(
            new Dictionary<string, string> { [RuntimeLabels.PodNamespace] = ns, [RuntimeLabels.PodName] = pod }, ctx.RequestAborted);
        var sandbox = sandboxes.Where(s => s.State == SandboxState.Ready && (uid is null || s.Uid == uid)).MaxBy(s => s.CreatedAt);
        if (sandbox is null)
        {
            await AgentRoutes.PlainAsync(ctx, 404, $"pod \"{ns}/{pod}\" has no running sandbox on this node");
            return;
        }

        SpdyConnection runtimeSide;
        try
        {
            var url = await runtime.PortForwardStreamAsync(sandbox.Id, Ports(ctx.Request.Query), ctx.RequestAborted);
            runtimeSide = await SpdyUpgrade.DialAsync(url, offered, ctx.RequestAborted);
        }
        catch (RuntimeException e) when (e.Code == RuntimeErrorCode.Unimplemented)
        {
            await AgentRoutes.PlainAsync(ctx, 501, $"this node's runtime cannot forward ports: {e.Message}");
            return;
        }
        catch (Exception e) when (e is RuntimeException or SpdyUpgradeException or SocketException or IOException)
        {
            await AgentRoutes.PlainAsync(ctx, 500, $"error forwarding ports of pod \"{ns}/{pod}\": {e.Message}");
            return;
        }
        await using (runtimeSide)
        {
            ctx.Response.Headers.Connection = "Upgrade";
            ctx.Response.Headers.Upgrade = SpdyUpgrade.UpgradeToken;
            ctx.Response.Headers[SpdyUpgrade.ProtocolHeader] = runtimeSide.Protocol;
            await using var client = await upgrade.UpgradeAsync();
            try
            {
                await ByteRelay.RunAsync(client, runtimeSide.Stream, ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The agent is stopping or the client left.
            }
        }
    }

    /// <summary><c>ports=8080&amp;ports=9090</c> or <c>ports=8080,9090</c>; what is not a port is left out (the streams name theirs).</summary>
    private static int[] Ports(IQueryCollection query) =>
        query["ports"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.TryParse(p, out var port) && port is > 0 and < 65536 ? port : 0).Where(p => p > 0).ToArray();
}
