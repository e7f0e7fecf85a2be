using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Navarch.Dns.Serving;

/// <summary>
/// Sends questions outside the cluster zone to the node's resolvers, one after the other, within one deadline:
/// when none answers in time the client gets SERVFAIL (the lab has no way out, and a client must never hang).
/// </summary>
public sealed class UpstreamForwarder
{
    /// <summary>How long an ExternalName's target may take upstream: the client's resolver follows the CNAME itself
    /// when the server adds nothing, so the CNAME is not held back for the whole forwarding deadline.</summary>
    public static readonly TimeSpan ChaseDeadline = TimeSpan.FromMilliseconds(500);

    private readonly DnsClient? _client;
    private readonly TimeSpan _deadline;

    public UpstreamForwarder(IReadOnlyList<IPAddress> upstreams, TimeSpan deadline)
    {
        _deadline = deadline;
        if (upstreams.Count == 0) return;
        // Each resolver gets its share of the deadline, so trying them all still ends in time.
        var perServer = (int)Math.Max(200, deadline.TotalMilliseconds / upstreams.Count);
        _client = new DnsClient(upstreams, perServer);
    }

    /// <summary>The upstream answer to <paramref name="question"/>, or null when no resolver answered in time.</summary>
    public Task<DnsMessage?> ForwardAsync(DnsQuestion question, CancellationToken ct) => ForwardAsync(question, _deadline, ct);

    private async Task<DnsMessage?> ForwardAsync(DnsQuestion question, TimeSpan within, CancellationToken ct)
    {
        if (_client is null) return null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(within);
        try
        {
            var options = new DnsQueryOptions { IsRecursionDesired = true, IsEDnsEnabled = true };
            return await _client.ResolveAsync(question.Name, question.RecordType, question.RecordClass, options, deadline.Token)
                .WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return null; }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or InvalidOperationException) { return null; }
    }

    /// <summary>Resolves a name to addresses upstream (an ExternalName's target), empty when it cannot.</summary>
    public async Task<IReadOnlyList<DnsRecordBase>> ChaseAsync(DomainName name, RecordType type, CancellationToken ct)
    {
        var answer = await ForwardAsync(new DnsQuestion(name, type, RecordClass.INet), ChaseDeadline < _deadline ? ChaseDeadline : _deadline, ct);
        return answer is { ReturnCode: ReturnCode.NoError } ? answer.AnswerRecords : [];
    }
}
