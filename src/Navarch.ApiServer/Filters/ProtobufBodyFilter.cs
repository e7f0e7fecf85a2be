using System.Text;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using k8s.Models;
using k8s;

namespace Navarch.ApiServer.Filters;

/// <summary>
/// kubectl's typed commands (<c>create namespace</c>, <c>create role|clusterrole|rolebinding|clusterrolebinding</c>)
/// send their object as protobuf. For those kinds this filter rewrites the body as JSON, reading the fields by their
/// numbers in upstream's generated.proto, so the handlers see what every other client sends. Other kinds pass
/// untouched (and get the handlers' "could not be decoded" 400 as before).
/// </summary>
public sealed class ProtobufBodyFilter(RequestDelegate next)
{
    private const int MaxBytes = 3 * 1024 * 1024;

    public async Task InvokeAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        if (request.Method is "POST" or "PUT" && ProtobufMessage.IsProtobuf(request.ContentType)
            && ctx.Attributes() is { IsResourceRequest: true } a && Decoder(a.ApiGroup, a.Resource, a.Subresource) is { } decode)
        {
            var body = await ReadAsync(request, ctx.RequestAborted);
            object obj;
            try
            {
                obj = decode(ProtobufMessage.Unwrap(body));
            }
            catch (FormatException e)
            {
                throw ApiException.BadRequest($"the body of the request could not be decoded: {e.Message}");
            }
            var json = Encoding.UTF8.GetBytes(KubernetesJson.Serialize(obj));
            request.Body = new MemoryStream(json);
            request.ContentLength = json.Length;
            request.ContentType = "application/json";
        }
        await next(ctx);
    }

    private static Func<ProtobufMessage, object>? Decoder(string group, string resource, string subresource) => subresource switch
    {
        "" => Decoder(group, resource),
        // kubectl certificate approve|deny: only the conditions count (the approval subresource changes nothing else).
        "approval" when (group, resource) is ("certificates.k8s.io", "certificatesigningrequests") => m => new V1CertificateSigningRequest
        {
            ApiVersion = "certificates.k8s.io/v1", Kind = "CertificateSigningRequest", Metadata = Meta(m.Message(1)),
            Status = new V1CertificateSigningRequestStatus { Conditions = Conditions(m.Message(3)) },
        },
        _ => null,
    };

    /// <summary>CertificateSigningRequestStatus.conditions (1): type 1, reason 2, message 3, status 6 (times are the server's to set).</summary>
    private static List<V1CertificateSigningRequestCondition> Conditions(ProtobufMessage? status) =>
        status?.Messages(1).Select(c => new V1CertificateSigningRequestCondition
        {
            Type = c.Text(1), Reason = c.Text(2), Message = c.Text(3), Status = c.Text(6) ?? "True",
        }).ToList() ?? [];

    private static Func<ProtobufMessage, object>? Decoder(string group, string resource) => (group, resource) switch
    {
        ("", "namespaces") => m => new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = Meta(m.Message(1)) },
        ("rbac.authorization.k8s.io", "roles") => m => new V1Role
        {
            ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "Role", Metadata = Meta(m.Message(1)), Rules = Rules(m),
        },
        ("rbac.authorization.k8s.io", "clusterroles") => m => new V1ClusterRole
        {
            ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "ClusterRole", Metadata = Meta(m.Message(1)), Rules = Rules(m),
            AggregationRule = m.Message(3) is { } agg ? new V1AggregationRule { ClusterRoleSelectors = agg.Messages(1).Select(Selector).ToList() } : null,
        },
        ("rbac.authorization.k8s.io", "rolebindings") => m => new V1RoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "RoleBinding", Metadata = Meta(m.Message(1)), Subjects = Subjects(m), RoleRef = RoleRef(m),
        },
        ("rbac.authorization.k8s.io", "clusterrolebindings") => m => new V1ClusterRoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "ClusterRoleBinding", Metadata = Meta(m.Message(1)), Subjects = Subjects(m), RoleRef = RoleRef(m),
        },
        _ => null,
    };

    /// <summary>ObjectMeta: name 1, generateName 2, namespace 3, resourceVersion 6, labels 11, annotations 12.</summary>
    private static V1ObjectMeta Meta(ProtobufMessage? m) => new()
    {
        Name = m?.Text(1), GenerateName = m?.Text(2), NamespaceProperty = m?.Text(3), ResourceVersion = m?.Text(6),
        Labels = m?.Map(11), Annotations = m?.Map(12),
    };

    /// <summary>PolicyRule: verbs 1, apiGroups 2, resources 3, resourceNames 4, nonResourceURLs 5.</summary>
    private static List<V1PolicyRule> Rules(ProtobufMessage m) => m.Messages(2).Select(r => new V1PolicyRule
    {
        Verbs = r.Texts(1), ApiGroups = NullIfEmpty(r.Texts(2)), Resources = NullIfEmpty(r.Texts(3)),
        ResourceNames = NullIfEmpty(r.Texts(4)), NonResourceURLs = NullIfEmpty(r.Texts(5)),
    }).ToList();

    /// <summary>Subject: kind 1, apiGroup 2, name 3, namespace 4.</summary>
    private static List<Rbacv1Subject>? Subjects(ProtobufMessage m) => NullIfEmpty(m.Messages(2).Select(s => new Rbacv1Subject
    {
        Kind = s.Text(1), ApiGroup = s.Text(2), Name = s.Text(3), NamespaceProperty = s.Text(4),
    }).ToList());

    /// <summary>RoleRef (field 3): apiGroup 1, kind 2, name 3.</summary>
    private static V1RoleRef? RoleRef(ProtobufMessage m) =>
        m.Message(3) is { } r ? new V1RoleRef { ApiGroup = r.Text(1), Kind = r.Text(2), Name = r.Text(3) } : null;

    /// <summary>LabelSelector: matchLabels 1, matchExpressions 2 (key 1, operator 2, values 3).</summary>
    private static V1LabelSelector Selector(ProtobufMessage m) => new()
    {
        MatchLabels = m.Map(1),
        MatchExpressions = NullIfEmpty(m.Messages(2).Select(e => new V1LabelSelectorRequirement
        {
            Key = e.Text(1), OperatorProperty = e.Text(2), Values = NullIfEmpty(e.Texts(3)),
        }).ToList()),
    };

    private static List<T>? NullIfEmpty<T>(List<T> list) => list.Count == 0 ? null : list;

    private static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBytes) throw ApiException.TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > MaxBytes) throw ApiException.TooLarge();
            buffer.Write(chunk, 0, n);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
