using k8s.Models;
using Navarch.ApiServer.Filters;

namespace Navarch.ApiServer.Authorization;

/// <summary>
/// kubectl's typed clients send the review kinds as protobuf. Only the fields a review asks about are read, by their
/// numbers in upstream's authorization/v1 generated.proto; the answer goes back as JSON, which client-go accepts.
/// </summary>
public static class ReviewProtobuf
{
    public static bool IsProtobuf(string? contentType) => ProtobufMessage.IsProtobuf(contentType);

    public static ProtobufMessage Unwrap(ReadOnlyMemory<byte> body) => ProtobufMessage.Unwrap(body);

    /// <summary>SelfSubjectAccessReview: spec (2) → resourceAttributes (1) or nonResourceAttributes (2).</summary>
    public static V1SelfSubjectAccessReview SelfSubjectAccessReview(ProtobufMessage obj)
    {
        var spec = obj.Message(2);
        return new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = spec?.Message(1) is { } r ? new V1ResourceAttributes
                {
                    NamespaceProperty = r.Text(1), Verb = r.Text(2), Group = r.Text(3), Version = r.Text(4),
                    Resource = r.Text(5), Subresource = r.Text(6), Name = r.Text(7),
                } : null,
                NonResourceAttributes = spec?.Message(2) is { } n ? new V1NonResourceAttributes { Path = n.Text(1), Verb = n.Text(2) } : null,
            },
        };
    }

    /// <summary>SelfSubjectRulesReview: spec (2) → namespace (1).</summary>
    public static V1SelfSubjectRulesReview SelfSubjectRulesReview(ProtobufMessage obj) => new()
    {
        Spec = new V1SelfSubjectRulesReviewSpec { NamespaceProperty = obj.Message(2)?.Text(1) },
    };
}
