using System.Text;

namespace Navarch.Api.Discovery;

/// <summary>
/// Writes protobuf wire format (proto3 semantics: empty strings and false are omitted). Only what the
/// gnostic OpenAPI v2 message needs: strings, bools and nested messages.
/// </summary>
internal sealed class ProtoWriter
{
    private const int Varint = 0;
    private const int LengthDelimited = 2;
    private readonly MemoryStream _buffer = new();

    /// <summary>Writes a string field; omitted when null or empty, as proto3 does.</summary>
    public ProtoWriter String(int field, string? value)
    {
        if (string.IsNullOrEmpty(value)) return this;
        return Bytes(field, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>Writes each value as one occurrence of a repeated string field.</summary>
    public ProtoWriter Strings(int field, IEnumerable<string> values)
    {
        foreach (var value in values) Bytes(field, Encoding.UTF8.GetBytes(value));
        return this;
    }

    /// <summary>Writes a bool field; omitted when false.</summary>
    public ProtoWriter Bool(int field, bool value)
    {
        if (!value) return this;
        Tag(field, Varint);
        _buffer.WriteByte(1);
        return this;
    }

    /// <summary>Writes a nested message built by <paramref name="build"/>; always present, even when empty (oneof members need that).</summary>
    public ProtoWriter Message(int field, Action<ProtoWriter> build)
    {
        var inner = new ProtoWriter();
        build(inner);
        return Bytes(field, inner.ToArray());
    }

    public byte[] ToArray() => _buffer.ToArray();

    private ProtoWriter Bytes(int field, byte[] bytes)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)bytes.Length);
        _buffer.Write(bytes);
        return this;
    }

    private void Tag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
