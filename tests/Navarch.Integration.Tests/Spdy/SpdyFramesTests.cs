using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using Navarch.Streaming.Spdy;

namespace Navarch.Integration.Tests.Spdy;

/// <summary>
/// The SPDY/3 frame codec against the wire format moby/spdystream reads and writes: round trips, header blocks a Go
/// zlib reader accepts (one compression context across frames, each block complete after its sync flush), and
/// malformed input failing with <see cref="SpdyProtocolException"/> rather than anything else.
/// </summary>
public sealed class SpdyFramesTests
{
    [Fact]
    public async Task Data_ping_goaway_and_rst_frames_round_trip()
    {
        using var wire = new MemoryStream();
        await using (var writer = new SpdyFrameWriter(wire))
        {
            await writer.WriteDataAsync(3, "hi\n"u8.ToArray(), fin: false, default);
            await writer.WriteDataAsync(5, ReadOnlyMemory<byte>.Empty, fin: true, default);
            await writer.WritePingAsync(7, default);
            await writer.WriteRstStreamAsync(9, 5, default);
            await writer.WriteGoAwayAsync(11, 0, default);
        }
        wire.Position = 0;
        var reader = new SpdyFrameReader(wire);

        var data = await reader.ReadAsync(default);
        Assert.Equal((SpdyFrameType.Data, 3u, false, "hi\n"), (data!.Type, data.StreamId, data.Fin, Encoding.ASCII.GetString(data.Payload)));
        var fin = await reader.ReadAsync(default);
        Assert.Equal((SpdyFrameType.Data, 5u, true, 0), (fin!.Type, fin.StreamId, fin.Fin, fin.Payload.Length));
        var ping = await reader.ReadAsync(default);
        Assert.Equal((SpdyFrameType.Ping, 7u, 4), (ping!.Type, ping.StreamId, ping.Payload.Length));
        var rst = await reader.ReadAsync(default);
        Assert.Equal((SpdyFrameType.RstStream, 9u, 5u), (rst!.Type, rst.StreamId, BinaryPrimitives.ReadUInt32BigEndian(rst.Payload.AsSpan(4))));
        var goAway = await reader.ReadAsync(default);
        Assert.Equal((SpdyFrameType.GoAway, 11u, 0u), (goAway!.Type, goAway.StreamId, BinaryPrimitives.ReadUInt32BigEndian(goAway.Payload.AsSpan(4))));
        Assert.Null(await reader.ReadAsync(default));
    }

    [Fact]
    public async Task Control_frames_carry_version_3_and_the_layout_spdystream_expects()
    {
        using var wire = new MemoryStream();
        await using (var writer = new SpdyFrameWriter(wire)) await writer.WriteGoAwayAsync(5, 0, default);
        // 0x8003 (control, version 3), type 7, flags 0, length 8, last good stream 5, status 0.
        Assert.Equal(Convert.FromHexString("80030007000000080000000500000000"), wire.ToArray());
    }

    [Fact]
    public async Task Syn_reply_header_blocks_share_one_zlib_stream_and_each_inflates_on_its_own()
    {
        var pipe = new Pipe();
        await using var inflater = new ZLibStream(pipe.Reader.AsStream(), CompressionMode.Decompress);
        using var wire = new MemoryStream();
        await using var writer = new SpdyFrameWriter(wire);

        await writer.WriteSynReplyAsync(1, [new("X-Stream-Protocol-Version", "v4.channel.k8s.io"), new("x-a", "1"), new("X-A", "2")], fin: false, default);
        var first = await ReadOnlyFrameAsync(wire);
        Assert.Equal((SpdyFrameType.SynReply, 1u, false), (first.Type, first.StreamId, first.Fin));
        var block = first.Payload.AsSpan(4).ToArray();
        // A zlib header with no preset dictionary (FDICT clear), which Go's zlib.NewReaderDict accepts.
        Assert.Equal(0x78, block[0]);
        Assert.Equal(0, (block[0] << 8 | block[1]) % 31);
        Assert.Equal(0, block[1] & 0x20);
        // Only the first block is available: it must inflate completely (sync flush) before the second exists.
        await pipe.Writer.WriteAsync(block);
        Assert.Equal([("x-stream-protocol-version", "v4.channel.k8s.io"), ("x-a", "1\02")], ReadHeaderBlock(inflater));

        await writer.WriteSynReplyAsync(3, [], fin: true, default);
        var second = await ReadOnlyFrameAsync(wire);
        Assert.Equal((SpdyFrameType.SynReply, 3u, true), (second.Type, second.StreamId, second.Fin));
        Assert.NotEqual(0x78, second.Payload[4]); // the same stream continues: no second zlib header
        await pipe.Writer.WriteAsync(second.Payload.AsMemory(4));
        Assert.Empty(ReadHeaderBlock(inflater));
    }

    [Fact]
    public async Task Syn_stream_carries_its_id_no_association_or_priority_and_a_header_block()
    {
        var pipe = new Pipe();
        await using var inflater = new ZLibStream(pipe.Reader.AsStream(), CompressionMode.Decompress);
        using var wire = new MemoryStream();
        await using var writer = new SpdyFrameWriter(wire);

        await writer.WriteSynStreamAsync(5, [new("streamType", "stdout")], fin: false, default);
        var frame = await ReadOnlyFrameAsync(wire);
        Assert.Equal((SpdyFrameType.SynStream, 5u, false), (frame.Type, frame.StreamId, frame.Fin));
        Assert.Equal(new byte[6], frame.Payload[4..10]); // associated-to stream 0, priority 0, slot 0
        await pipe.Writer.WriteAsync(frame.Payload.AsMemory(10));
        Assert.Equal([("streamtype", "stdout")], ReadHeaderBlock(inflater));
    }

    [Fact]
    public async Task Syn_stream_yields_its_stream_id_without_inflating_the_header_block()
    {
        // The client's block is compressed with SPDY's dictionary; the reader leaves it as it is.
        var frame = Convert.FromHexString("80030001" + "0000000E" + "80000003" + "00000000" + "6000" + "38EAE3C6");
        var read = await new SpdyFrameReader(new MemoryStream(frame)).ReadAsync(default);
        Assert.Equal((SpdyFrameType.SynStream, 3u, 14), (read!.Type, read.StreamId, read.Payload.Length));
    }

    [Theory]
    [InlineData("80020001000000000000", "version")] // SPDY/2
    [InlineData("800300070000000400000000", "shorter")] // GOAWAY of 4 bytes
    [InlineData("00000003000000050000", "middle")] // data frame cut short
    [InlineData("0000000300200000", "limit")] // 2 MiB data frame
    [InlineData("0000000000000000", "stream 0")] // data on stream 0
    [InlineData("8003", "middle")] // frame header cut short
    public async Task Malformed_frames_fail_with_a_protocol_error(string hex, string expected)
    {
        var reader = new SpdyFrameReader(new MemoryStream(Convert.FromHexString(hex)));
        var e = await Assert.ThrowsAsync<SpdyProtocolException>(() => reader.ReadAsync(default));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Unknown_control_frames_are_read_and_skipped()
    {
        var wire = Convert.FromHexString("8003000A00000002ABCD" + "00000001" + "00000000");
        var reader = new SpdyFrameReader(new MemoryStream(wire));
        Assert.Equal(10, (int)(await reader.ReadAsync(default))!.Type);
        Assert.Equal(SpdyFrameType.Data, (await reader.ReadAsync(default))!.Type);
    }

    private static async Task<SpdyFrame> ReadOnlyFrameAsync(MemoryStream wire)
    {
        wire.Position = 0;
        var frame = await new SpdyFrameReader(wire).ReadAsync(default);
        wire.SetLength(0);
        return frame!;
    }

    private static List<(string Name, string Value)> ReadHeaderBlock(Stream inflated)
    {
        var pairs = new List<(string, string)>();
        var count = ReadUInt32(inflated);
        for (var i = 0; i < count; i++) pairs.Add((ReadString(inflated), ReadString(inflated)));
        return pairs;
    }

    private static string ReadString(Stream s)
    {
        var bytes = new byte[ReadUInt32(s)];
        s.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    private static uint ReadUInt32(Stream s)
    {
        Span<byte> b = stackalloc byte[4];
        s.ReadExactly(b);
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }
}
