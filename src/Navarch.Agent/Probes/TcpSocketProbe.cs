using System.Net.Sockets;

namespace Navarch.Agent.Probes;

/// <summary>The <c>tcpSocket</c> probe: passes when a TCP connection to host:port (host defaults to the pod IP) opens in time.</summary>
public sealed class TcpSocketProbe(TimeProvider time)
{
    /// <summary>Runs the probe once against <paramref name="target"/>.</summary>
    public async Task<ProbeOutcome> RunAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var action = target.Probe.TcpSocket!;
        var port = ProbePort.Resolve(action.Port, target.Container, out var portError);
        if (port is null) return ProbeOutcome.Error(portError);
        var host = string.IsNullOrEmpty(action.Host) ? target.PodIp : action.Host;
        var address = DialError.HostPort(host, port.Value);

        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port.Value, linked.Token).ConfigureAwait(false);
            return ProbeOutcome.Success();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeOutcome.Failure($"dial tcp {address}: i/o timeout");
        }
        catch (SocketException e)
        {
            return ProbeOutcome.Failure($"dial tcp {address}: {DialError.Describe(e.SocketErrorCode)}");
        }
    }
}
