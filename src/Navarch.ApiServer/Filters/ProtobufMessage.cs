using System.Text;

namespace Navarch.ApiServer.Filters;

/// <summary>
/// Reads the length-delimited fields of a protobuf message by number: enough for the few kinds kubectl's typed
/// clients send as <c>application/vnd.kubernetes.protobuf</c>. Throws <see cref="FormatException"/> on malformed input.
/// </summary>
public readonly struct ProtobufMessage(ReadOnlyMemory<byte> bytes)
{
    public const string ContentType = "application/vnd.kubernetes.protobuf";
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static bool IsProtobuf(string? contentType) =>
        contentType is not null && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The object inside the <c>k8s\0</c> + runtime.Unknown envelope (its field 2).</summary>
    public static ProtobufMessage Unwrap(ReadOnlyMemory<byte> body)
    {
        if (body.Length < Magic.Length || !body.Span[..Magic.Length].SequenceEqual(Magic)) throw new FormatException("no k8s protobuf envelope");
        return new ProtobufMessage(body[Magic.Length..]).Message(2) ?? new ProtobufMessage(ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>The last occurrence of field <paramref name="number"/> as a message, or null.</summary>
    public ProtobufMessage? Message(int number) => All(number) is { Count: > 0 } all ? new ProtobufMessage(all[^1]) : null;

    public IEnumerable<ProtobufMessage> Messages(int number) => All(number).Select(b => new ProtobufMessage(b));

    public string? Text(int number) => All(number) is { Count: > 0 } all ? Encoding.UTF8.GetString(all[^1].Span) : null;

    public List<string> Texts(int number) => All(number).Select(b => Encoding.UTF8.GetString(b.Span)).ToList();

    /// <summary>A map&lt;string,string&gt; (repeated entries with key 1 and value 2), or null when absent.</summary>
    public Dictionary<string, string>? Map(int number)
    {
        var entries = Messages(number).ToList();
        return entries.Count == 0 ? null : entries.ToDictionary(e => e.Text(1) ?? "", e => e.Text(2) ?? "");
    }

    /// <summary>The last varint occurrence of field <paramref name="number"/> (int32, int64, bool), or null.</summary>
    public long? Varint(int number)
    {
        long? found = null;
        var data = bytes.Span;
        var pos = 0;
        while (pos < data.Length)
        {
            var tag = Varint(data, ref pos);
            var (field, wire) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wire)
            {
                case 0:
                    var value = (long)Varint(data, ref pos);
                    if (field == number) found = value;
                    break;
                case 1: pos += 8; break;
                case 5: pos += 4; break;
                case 2:
                    var length = Varint(data, ref pos);
                    if (length > (ulong)(data.Length - pos)) throw new FormatException("truncated protobuf field");
                    pos += (int)length;
                    break;
                default: throw new FormatException($"unsupported protobuf wire type {wire}");
            }
        }
        if (pos > data.Length) throw new FormatException("truncated protobuf message");
        return found;
    }

    /// <summary>Every length-delimited occurrence of field <paramref name="number"/>, in order; other fields skipped.</summary>
    public List<ReadOnlyMemory<byte>> All(int number)
    {
        var found = new List<ReadOnlyMemory<byte>>();
        var data = bytes.Span;
        var pos = 0;
        while (pos < data.Length)
        {
            var tag = Varint(data, ref pos);
            var (field, wire) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wire)
            {
                case 0: Varint(data, ref pos); break;
                case 1: pos += 8; break;
                case 5: pos += 4; break;
                case 2:
                    var length = (long)Varint(data, ref pos);
                    if (length < 0 || pos + length > data.Length) throw new FormatException("truncated protobuf field");
                    if (field == number) found.Add(bytes.Slice(pos, (int)length));
                    pos += (int)length;
                    break;
                default: throw new FormatException($"unsupported protobuf wire type {wire}");
            }
        }
        if (pos > data.Length) throw new FormatException("truncated protobuf message");
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
