using System.Text;

namespace Navarch.Api.Tests.Discovery;

/// <summary>A minimal protobuf decoder for tests: a message as its fields, nested messages decoded on demand.</summary>
internal sealed class ProtoReader
{
    private readonly List<(int Field, ulong Varint, byte[]? Bytes)> _fields = [];

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            var tag = ReadVarint(data, ref i);
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    _fields.Add((field, ReadVarint(data, ref i), null));
                    break;
                case 2:
                    var length = (int)ReadVarint(data, ref i);
                    _fields.Add((field, 0, data.Slice(i, length).ToArray()));
                    i += length;
                    break;
                default:
                    throw new InvalidDataException($"unexpected wire type {tag & 7} for field {field}");
            }
        }
    }

    public IEnumerable<ProtoReader> Messages(int field) => _fields.Where(f => f.Field == field).Select(f => new ProtoReader(f.Bytes!));

    public ProtoReader? Message(int field) => Messages(field).FirstOrDefault();

    public string? String(int field) => _fields.Where(f => f.Field == field).Select(f => Encoding.UTF8.GetString(f.Bytes!)).FirstOrDefault();

    public bool Bool(int field) => _fields.Any(f => f.Field == field && f.Varint != 0);

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
