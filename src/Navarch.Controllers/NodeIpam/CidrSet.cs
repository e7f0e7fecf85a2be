using System.Net;
using System.Net.Sockets;

namespace Navarch.Controllers.NodeIpam;

/// <summary>
/// The per-node subnets of an IPv4 cluster network (upstream's cidrset): hands out the next free
/// <c>/maskSize</c> after the last one given, wrapping around, so a just-released subnet is not reused at once.
/// Not thread-safe: the caller serializes.
/// </summary>
public sealed class CidrSet
{
    private readonly uint _base;
    private readonly int _maskSize;
    private readonly bool[] _used;
    private int _next;

    /// <exception cref="ArgumentException">Not an IPv4 CIDR, or a mask size outside [prefix, 32].</exception>
    public CidrSet(string clusterCidr, int maskSize)
    {
        if (!IPNetwork.TryParse(clusterCidr, out var net) || net.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"\"{clusterCidr}\" is not an IPv4 CIDR", nameof(clusterCidr));
        if (maskSize < net.PrefixLength || maskSize > 32)
            throw new ArgumentException($"mask size {maskSize} must be between {net.PrefixLength} and 32", nameof(maskSize));
        _base = ToUint(net.BaseAddress);
        _maskSize = maskSize;
        var bits = maskSize - net.PrefixLength;
        if (bits > 24) throw new ArgumentException($"{clusterCidr} holds too many /{maskSize} subnets (at most 2^24)", nameof(maskSize));
        _used = new bool[1 << bits];
    }

    /// <summary>How many subnets the network holds.</summary>
    public int Capacity => _used.Length;

    /// <summary>How many are taken.</summary>
    public int Used => _used.Count(u => u);

    /// <summary>The next free subnet as <c>a.b.c.d/mask</c>, marked used; null when every one is taken.</summary>
    public string? Allocate()
    {
        for (var i = 0; i < _used.Length; i++)
        {
            var candidate = (_next + i) % _used.Length;
            if (_used[candidate]) continue;
            _used[candidate] = true;
            _next = (candidate + 1) % _used.Length;
            return Format(candidate);
        }
        return null;
    }

    /// <summary>
    /// Marks <paramref name="cidr"/> used (every subnet of ours it overlaps). False when it is not an IPv4 CIDR
    /// inside the cluster network.
    /// </summary>
    public bool Occupy(string cidr) => Mark(cidr, true);

    /// <summary>Marks <paramref name="cidr"/> free again. False when it is not inside the cluster network.</summary>
    public bool Release(string cidr) => Mark(cidr, false);

    /// <summary>True when <paramref name="cidr"/> overlaps a subnet that is taken.</summary>
    public bool IsUsed(string cidr) => Range(cidr) is var (first, last) && Enumerable.Range(first, last - first + 1).Any(i => _used[i]);

    private bool Mark(string cidr, bool used)
    {
        if (Range(cidr) is not var (first, last)) return false;
        for (var i = first; i <= last; i++) _used[i] = used;
        return true;
    }

    // The indexes of our subnets that cidr overlaps, or null when it lies outside the network.
    private (int First, int Last)? Range(string cidr)
    {
        if (!IPNetwork.TryParse(cidr, out var net) || net.BaseAddress.AddressFamily != AddressFamily.InterNetwork) return null;
        var start = ToUint(net.BaseAddress);
        var size = net.PrefixLength == 0 ? 1UL << 32 : 1UL << (32 - net.PrefixLength);
        var step = 1UL << (32 - _maskSize);
        if (start < _base) return null;
        var first = (start - _base) / step;
        var last = (start - _base + size - 1) / step;
        if (last >= (ulong)_used.Length) return null;
        return ((int)first, (int)last);
    }

    private string Format(int index)
    {
        var address = _base + ((uint)index << (32 - _maskSize));
        return $"{new IPAddress([(byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address])}/{_maskSize}";
    }

    private static uint ToUint(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return (uint)b[0] << 24 | (uint)b[1] << 16 | (uint)b[2] << 8 | b[3];
    }
}
