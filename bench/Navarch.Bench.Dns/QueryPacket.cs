using System.Buffers.Binary;
using System.Text;

namespace Navarch.Bench.Dns;

/// <summary>The load client's query: a DNS header with one question, the transaction ID rewritten per send.</summary>
internal static class QueryPacket
{
    public static byte[] For(string name, ushort type = 1)
    {
        var bytes = new List<byte> { 0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 }; // RD, QDCOUNT 1
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        return [.. bytes];
    }

    public static void SetId(Span<byte> packet, ushort id) => BinaryPrimitives.WriteUInt16BigEndian(packet, id);

    public static ushort Id(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt16BigEndian(packet);

    /// <summary>RCODE of a response.</summary>
    public static int ReturnCode(ReadOnlySpan<byte> packet) => packet[3] & 0x0f;
}
