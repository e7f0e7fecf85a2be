using Navarch.Cri;

namespace Navarch.Agent.Probes;

/// <summary>The real <see cref="IProber"/>: picks the handler the probe names (httpGet, tcpSocket, exec).</summary>
public sealed class Prober(ICriRuntime runtime, TimeProvider time, HttpMessageInvoker? http = null) : IProber
{
    private readonly HttpGetProbe _http = new(http ?? HttpGetProbe.CreateClient(), time);
    private readonly TcpSocketProbe _tcp = new(time);
    private readonly ExecProbe _exec = new(runtime);

    /// <inheritdoc />
    public Task<ProbeOutcome> RunAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var probe = target.Probe;
        if (probe.Exec is not null) return _exec.RunAsync(target, timeout, cancellationToken);
        if (probe.HttpGet is not null) return _http.RunAsync(target, timeout, cancellationToken);
        if (probe.TcpSocket is not null) return _tcp.RunAsync(target, timeout, cancellationToken);
        // TODO(issue 4): grpc probes (grpc.health.v1.Health/Check over h2c).
        if (probe.Grpc is not null) return Task.FromResult(ProbeOutcome.Error("grpc probes are not supported by this agent"));
        return Task.FromResult(ProbeOutcome.Error($"missing probe handler for {target.Container.Name}"));
    }
}
