using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Navarch.Streaming.Spdy;

/// <summary>SPDY/3 control frame types (draft-mbelshe-httpbis-spdy-00 §2.6), as moby/spdystream numbers them.</summary>
public enum SpdyFrameType : ushort
{
    /// <summary>A data frame (no control bit).</summary>
    Data = 0,
    SynStream = 1,
    SynReply = 2,
    RstStream = 3,
    Settings = 4,
    Ping = 6,
    GoAway = 7,
    Headers = 8,
    WindowUpdate = 9,
}

/// <summary>
/// One SPDY frame as read off the wire. <see cref="StreamId"/> is the data frame's stream, or for control frames that
/// name one (SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS, WINDOW_UPDATE) the first 31 bits of the payload; for PING it
/// is the ping id, for GOAWAY the last good stream id. <see cref="Payload"/> is everything after the 8-byte frame
/// header, header blocks still compressed.
/// </summary>
public sealed record SpdyFrame(SpdyFrameType Type, byte Flags, uint StreamId, byte[] Payload)
{
    /// <summary>FLAG_FIN, the same bit for data frames and SYN_STREAM/SYN_REPLY.</summary>
    public const byte FlagFin = 0x01;

    /// <summary>Whether the sender half-closed the stream with this frame.</summary>
    public bool Fin => (Flags & FlagFin) != 0;
}

/// <summary>A frame that breaks SPDY/3's framing; the connection cannot continue.</summary>
public sealed class SpdyProtocolException(string message) : Exception(message);

/// <summary>
/// Reads SPDY/3 frames from a stream. Header blocks are not inflated: Go peers compress them with SPDY's preset
/// dictionary, which <see cref="ZLibStream"/> cannot take, so callers identify streams by their ids and order instead.
/// </summary>
public sealed class SpdyFrameReader(Stream stream, int maxFrameLength = SpdyFrameReader.DefaultMaxFrameLength)
{
    /// <summary>The largest payload accepted (1 MiB): kubectl's frames are far smaller; this bounds what a peer can make us allocate.</summary>
    public const int DefaultMaxFrameLength = 1 << 20;

    private const ushort Version = 3;
    private readonly byte[] _header = new byte[8];

    /// <summary>
    /// Reads the next frame; null when the peer closed the connection cleanly between frames.
    /// Throws <see cref="SpdyProtocolException"/> on a malformed frame or one cut short, <see cref="IOException"/> on a broken connection.
    /// </summary>
    public async Task<SpdyFrame?> ReadAsync(CancellationToken ct)
    {
        if (!await FillAsync(_header, allowEof: true, ct)) return null;
        var first = BinaryPrimitives.ReadUInt32BigEndian(_header);
        var flags = _header[4];
        var length = (int)(BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4)) & 0xFFFFFF);
        if (length > maxFrameLength) throw new SpdyProtocolException($"frame of {length} bytes exceeds the {maxFrameLength}-byte limit");
        var payload = new byte[length];
        await FillAsync(payload, allowEof: false, ct);

        if ((first & 0x80000000) == 0)
        {
            var dataStream = first & 0x7FFFFFFF;
            if (dataStream == 0) throw new SpdyProtocolException("data frame on stream 0");
            return new SpdyFrame(SpdyFrameType.Data, flags, dataStream, payload);
        }
        var version = (ushort)((first >> 16) & 0x7FFF);
        if (version != Version) throw new SpdyProtocolException($"unsupported SPDY version {version}");
        var type = (SpdyFrameType)(first & 0xFFFF);
        var minimum = type switch
        {
            SpdyFrameType.SynStream => 10,
            SpdyFrameType.SynReply or SpdyFrameType.Headers or SpdyFrameType.Ping or SpdyFrameType.Settings => 4,
            SpdyFrameType.RstStream or SpdyFrameType.GoAway or SpdyFrameType.WindowUpdate => 8,
            // Unknown control frames must be ignored (SPDY/3 §2.2.1); they carry no id we use.
            _ => 0,
        };
        if (length < minimum) throw new SpdyProtocolException($"{type} frame of {length} bytes is shorter than {minimum}");
        var id = minimum >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(payload) : 0;
        if (type is not (SpdyFrameType.Ping or SpdyFrameType.Settings)) id &= 0x7FFFFFFF;
        return new SpdyFrame(type, flags, id, payload);
    }

    private async Task<bool> FillAsync(byte[] buffer, bool allowEof, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0)
            {
                if (read == 0 && allowEof) return false;
                throw new SpdyProtocolException("connection closed in the middle of a frame");
            }
            read += n;
        }
        return true;
    }
}

/// <summary>
/// Writes SPDY/3 frames to a stream; safe to call from several tasks (one frame at a time, each flushed).
/// Header blocks go through one zlib stream for the whole connection, sync-flushed after each block, as SPDY keeps one
/// compression context per direction. No preset dictionary is used: Go's <c>zlib.NewReaderDict</c> (spdystream's
/// reader) accepts a stream whose header does not ask for one.
/// </summary>
public sealed class SpdyFrameWriter : IAsyncDisposable
{
    private const ushort Version = 3;

    private readonly Stream _stream;
    private readonly SemaphoreSlim _lock = new(1, 1);

    // Guarded by _lock: the compressor's state spans every header block written on this connection.
    private readonly MemoryStream _compressed = new();
    private readonly ZLibStream _compressor;

    public SpdyFrameWriter(Stream stream)
    {
        _stream = stream;
        _compressor = new ZLibStream(_compressed, CompressionLevel.Fastest, leaveOpen: true);
    }

    /// <summary>
    /// SYN_STREAM opening <paramref name="streamId"/> (odd from a client, even from a server), no associated stream,
    /// priority 0, with <paramref name="headers"/>.
    /// </summary>
    public Task WriteSynStreamAsync(uint streamId, IReadOnlyList<KeyValuePair<string, string>> headers, bool fin, CancellationToken ct) =>
        // Stream id, associated-to id, then priority (3 bits) and slot (8 bits) in two bytes: all zero here.
        WriteHeaderFrameAsync(SpdyFrameType.SynStream, streamId, fixedLength: 10, headers, fin, ct);

    /// <summary>SYN_REPLY accepting <paramref name="streamId"/>, with <paramref name="headers"/> (names are lower-cased, as SPDY requires).</summary>
    public Task WriteSynReplyAsync(uint streamId, IReadOnlyList<KeyValuePair<string, string>> headers, bool fin, CancellationToken ct) =>
        WriteHeaderFrameAsync(SpdyFrameType.SynReply, streamId, fixedLength: 4, headers, fin, ct);

    /// <summary>A control frame of <paramref name="fixedLength"/> bytes starting with the stream id (the rest zero), then a header block.</summary>
    private Task WriteHeaderFrameAsync(SpdyFrameType type, uint streamId, int fixedLength, IReadOnlyList<KeyValuePair<string, string>> headers, bool fin, CancellationToken ct) =>
        WriteLockedAsync(() =>
        {
            var block = CompressHeaderBlock(headers);
            var frame = new byte[8 + fixedLength + block.Length];
            WriteControlHeader(frame, type, fin ? SpdyFrame.FlagFin : (byte)0, fixedLength + block.Length);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), streamId & 0x7FFFFFFF);
            block.CopyTo(frame, 8 + fixedLength);
            return frame;
        }, ct);

    /// <summary>A data frame; an empty one with <paramref name="fin"/> half-closes the stream.</summary>
    public Task WriteDataAsync(uint streamId, ReadOnlyMemory<byte> data, bool fin, CancellationToken ct)
    {
        if (data.Length > 0xFFFFFF) throw new ArgumentOutOfRangeException(nameof(data), "a SPDY data frame carries at most 16 MiB - 1");
        return WriteLockedAsync(() =>
        {
            var frame = new byte[8 + data.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame, streamId & 0x7FFFFFFF);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)(fin ? SpdyFrame.FlagFin : 0) << 24 | (uint)data.Length);
            data.Span.CopyTo(frame.AsSpan(8));
            return frame;
        }, ct);
    }

    /// <summary>RST_STREAM with a status code (1 PROTOCOL_ERROR, 3 REFUSED_STREAM, 5 CANCEL, …; never 0).</summary>
    public Task WriteRstStreamAsync(uint streamId, uint status, CancellationToken ct) =>
        WriteFixedAsync(SpdyFrameType.RstStream, streamId & 0x7FFFFFFF, status, ct);

    /// <summary>PING with <paramref name="id"/>; answering a peer's ping means sending its id back.</summary>
    public Task WritePingAsync(uint id, CancellationToken ct) =>
        WriteLockedAsync(() =>
        {
            var frame = new byte[12];
            WriteControlHeader(frame, SpdyFrameType.Ping, 0, 4);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), id);
            return frame;
        }, ct);

    /// <summary>GOAWAY: no new streams; <paramref name="lastGoodStreamId"/> is the last stream this side accepted; status 0 is OK.</summary>
    public Task WriteGoAwayAsync(uint lastGoodStreamId, uint status, CancellationToken ct) =>
        WriteFixedAsync(SpdyFrameType.GoAway, lastGoodStreamId & 0x7FFFFFFF, status, ct);

    private Task WriteFixedAsync(SpdyFrameType type, uint first, uint second, CancellationToken ct) =>
        WriteLockedAsync(() =>
        {
            var frame = new byte[16];
            WriteControlHeader(frame, type, 0, 8);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), first);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), second);
            return frame;
        }, ct);

    private async Task WriteLockedAsync(Func<byte[]> build, CancellationToken ct)
    {
        await _lock.WaitAsync(ct);
        try
        {
            // Built under the lock: header blocks must reach the wire in the order they went through the compressor.
            var frame = build();
            await _stream.WriteAsync(frame, ct);
            await _stream.FlushAsync(ct);
        }
        finally
        {
            _lock.Release();
        }
    }

    private byte[] CompressHeaderBlock(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        _compressor.Write(SpdyHeaderBlock.Encode(headers));
        // DeflateStream.Flush is a zlib sync flush: the block ends on a byte boundary and inflates on its own.
        _compressor.Flush();
        var block = _compressed.ToArray();
        _compressed.SetLength(0);
        return block;
    }

    private static void WriteControlHeader(Span<byte> frame, SpdyFrameType type, byte flags, int length)
    {
        BinaryPrimitives.WriteUInt16BigEndian(frame, 0x8000 | Version);
        BinaryPrimitives.WriteUInt16BigEndian(frame[2..], (ushort)type);
        BinaryPrimitives.WriteUInt32BigEndian(frame[4..], (uint)flags << 24 | (uint)length);
    }

    public async ValueTask DisposeAsync()
    {
        await _compressor.DisposeAsync();
        await _compressed.DisposeAsync();
        _lock.Dispose();
    }
}

/// <summary>SPDY/3's uncompressed name/value header block (§2.6.10): 32-bit count, then 32-bit-length-prefixed names and values.</summary>
public static class SpdyHeaderBlock
{
    /// <summary>
    /// Encodes <paramref name="headers"/>; names are lower-cased (spdystream rejects others) and repeated names are
    /// joined into one value separated by NUL, as SPDY forbids duplicate names.
    /// </summary>
    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var merged = headers.GroupBy(h => h.Key.ToLowerInvariant(), h => h.Value)
            .Select(g => (Name: Encoding.UTF8.GetBytes(g.Key), Value: Encoding.UTF8.GetBytes(string.Join('\0', g))))
            .ToList();
        var block = new byte[4 + merged.Sum(h => 8 + h.Name.Length + h.Value.Length)];
        BinaryPrimitives.WriteUInt32BigEndian(block, (uint)merged.Count);
        var at = 4;
        foreach (var (name, value) in merged)
        {
            BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(at), (uint)name.Length);
            name.CopyTo(block, at + 4);
            at += 4 + name.Length;
            BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(at), (uint)value.Length);
            value.CopyTo(block, at + 4);
            at += 4 + value.Length;
        }
        return block;
    }
}
