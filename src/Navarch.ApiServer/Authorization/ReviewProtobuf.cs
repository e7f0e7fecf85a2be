using System.Text;
using k8s.Models;

namespace Navarch.ApiServer.Authorization;

/// <summary>
/// kubectl's typed clients send the review kinds as protobuf (<c>application/vnd.kubernetes.protobuf</c>): the
/// magic <c>k8s\0</c>, then a runtime.Unknown whose field 2 holds the object. Only the few fields a review asks
/// about are read, by their field numbers in upstream's authorization/v1 generated.proto; the answer goes back as
/// JSON, which client-go accepts whatever it sent.
/// </summary>
public static class ReviewProtobuf
{
    public const string ContentType = "application/vnd.kubernetes.protobuf";
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static bool IsProtobuf(string? contentType) =>
        contentType is not null && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The object inside the envelope; throws <see cref="FormatException"/> on anything malformed.</summary>
    public static ReadOnlyMemory<byte> Unwrap(ReadOnlyMemory<byte> body)
    {
        if (body.Length < Magic.Length || !body.Span[..Magic.Length].SequenceEqual(Magic)) throw new FormatException("no k8s protobuf envelope");
        return Field(body[Magic.Length..], 2) ?? ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>SelfSubjectAccessReview: spec (2) → resourceAttributes (1) or nonResourceAttributes (2).</summary>
    public static V1SelfSubjectAccessReview SelfSubjectAccessReview(ReadOnlyMemory<byte> obj)
    {
        var spec = Field(obj, 2) ?? ReadOnlyMemory<byte>.Empty;
        return new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = Field(spec, 1) is { } r ? new V1ResourceAttributes
                {
                    NamespaceProperty = Text(r, 1), Verb = Text(r, 2), Group = Text(r, 3), Version = Text(r, 4),
                    Resource = Text(r, 5), Subresource = Text(r, 6), Name = Text(r, 7),
                } : null,
                NonResourceAttributes = Field(spec, 2) is { } n ? new V1NonResourceAttributes { Path = Text(n, 1), Verb = Text(n, 2) } : null,
            },
        };
    }

    /// <summary>SelfSubjectRulesReview: spec (2) → namespace (1).</summary>
    public static V1SelfSubjectRulesReview SelfSubjectRulesReview(ReadOnlyMemory<byte> obj) => new()
    {
        Spec = new V1SelfSubjectRulesReviewSpec { NamespaceProperty = Field(obj, 2) is { } spec ? Text(spec, 1) : null },
    };

    private static string? Text(ReadOnlyMemory<byte> message, int number) =>
        Field(message, number) is { } value ? Encoding.UTF8.GetString(value.Span) : null;

    /// <summary>The last occurrence of length-delimited field <paramref name="number"/>, skipping the others.</summary>
    private static ReadOnlyMemory<byte>? Field(ReadOnlyMemory<byte> message, int number)
    {
        ReadOnlyMemory<byte>? found = null;
        var pos = 0;
        while (pos < message.Length)
        {
            var tag = Varint(message.Span, ref pos);
            var (field, wire) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wire)
            {
                case 0: Varint(message.Span, ref pos); break;
                case 1: pos += 8; break;
                case 5: pos += 4; break;
                case 2:
                    var length = (int)Varint(message.Span, ref pos);
                    if (length < 0 || pos + length > message.Length) throw new FormatException("truncated protobuf field");
                    if (field == number) found = message.Slice(pos, length);
                    pos += length;
                    break;
                default: throw new FormatException($"unsupported protobuf wire type {wire}");
            }
        }
        if (pos > message.Length) throw new FormatException("truncated protobuf message");
        return found;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw new FormatException("truncated protobuf varint");
            var b = data[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException("protobuf varint too long");
    }
}
