namespace Navarch.Api.Protobuf;

/// <summary>Reads protobuf wire format: tags, varints, fixed values and length-delimited slices.</summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public bool AtEnd => _position >= _data.Length;

    /// <summary>The next field's number and wire type.</summary>
    public (int Number, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length) throw new ProtoException("truncated varint");
            var b = _data[_position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new ProtoException("varint longer than 10 bytes");
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - _position)) throw new ProtoException("length beyond the end of the message");
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    public ulong ReadFixed64()
    {
        if (_data.Length - _position < 8) throw new ProtoException("truncated fixed64");
        var value = BitConverter.ToUInt64(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    /// <summary>Skips a field of the given wire type (an unknown field).</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: ReadFixed64(); break;
            case 2: ReadBytes(); break;
            case 5:
                if (_data.Length - _position < 4) throw new ProtoException("truncated fixed32");
                _position += 4;
                break;
            default: throw new ProtoException($"unsupported wire type {wireType}");
        }
    }
}

/// <summary>Malformed protobuf input.</summary>
public sealed class ProtoException(string message) : Exception(message);
