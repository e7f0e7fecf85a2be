using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Navarch.Dns.Records;

namespace Navarch.Dns.Serving;

/// <summary>
/// Turns one query into its response: checks its shape (FORMERR, NOTIMP), answers the cluster zone and the reverse
/// names of cluster addresses from the index, and forwards everything else.
/// </summary>
public sealed class QueryHandler(ZoneResolver zone, UpstreamForwarder upstream)
{
    public async Task<DnsMessage> RespondAsync(DnsMessage query, CancellationToken ct)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        if (query.Questions.Count != 1 || query.IsQuery == false)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }
        if (query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            return response;
        }
        var question = query.Questions[0];
        if (question.RecordClass is not (RecordClass.INet or RecordClass.Any) ||
            !(zone.IsAuthoritativeFor(question.Name) || zone.KnowsPointer(question.Name)))
        {
            if (question.RecordClass is not (RecordClass.INet or RecordClass.Any) && zone.IsAuthoritativeFor(question.Name))
            {
                response.ReturnCode = ReturnCode.Refused;
                return response;
            }
            return await ForwardAsync(question, response, ct);
        }

        var answer = zone.Answer(question.Name, question.RecordType);
        response.IsAuthoritiveAnswer = true;
        response.ReturnCode = answer.Code;
        response.AnswerRecords.AddRange(answer.Answers);
        response.AuthorityRecords.AddRange(answer.Authority);
        response.AdditionalRecords.AddRange(answer.Additional);
        if (answer.CNameTarget is { } target && question.RecordType is RecordType.A or RecordType.Aaaa)
            await FollowCNameAsync(target, question.RecordType, response, ct);
        return response;
    }

    // An ExternalName's target: answered from the zone when it is a cluster name, else asked upstream (best effort:
    // the client's resolver follows the CNAME itself when this adds nothing).
    private async Task FollowCNameAsync(DomainName target, RecordType type, DnsMessage response, CancellationToken ct)
    {
        if (zone.IsAuthoritativeFor(target))
        {
            var inner = zone.Answer(target, type);
            response.AnswerRecords.AddRange(inner.Answers);
            return;
        }
        response.AnswerRecords.AddRange(await upstream.ChaseAsync(target, type, ct));
    }

    private async Task<DnsMessage> ForwardAsync(DnsQuestion question, DnsMessage response, CancellationToken ct)
    {
        var answer = await upstream.ForwardAsync(question, ct);
        if (answer is null)
        {
            response.ReturnCode = ReturnCode.ServerFailure;
            return response;
        }
        response.ReturnCode = answer.ReturnCode;
        response.IsAuthenticData = answer.IsAuthenticData;
        response.AnswerRecords.AddRange(answer.AnswerRecords);
        response.AuthorityRecords.AddRange(answer.AuthorityRecords);
        response.AdditionalRecords.AddRange(answer.AdditionalRecords.Where(r => r is not OptRecord));
        return response;
    }
}
