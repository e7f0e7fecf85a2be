using System.Net;
using System.Net.Sockets;

namespace Navarch.Agent.Runtime;

/// <summary>
/// Hands out IPv4 addresses of a pod CIDR the way CNI's host-local IPAM does: the next free address after
/// the last one handed out, wrapping around (so a released IP is not reused at once), skipping the network
/// address, the gateway (first host) and the broadcast address. Not thread-safe.
/// </summary>
public sealed class PodIpPool
{
    private readonly uint _first;
    private readonly uint _last;
    private readonly HashSet<uint> _used = [];
    private uint _lastHandedOut;

    /// <summary>A pool over <paramref name="cidr"/> (e.g. <c>10.244.1.0/24</c>); throws <see cref="ArgumentException"/> naming it if it is not an IPv4 range with room for pods.</summary>
    public PodIpPool(string cidr)
    {
        if (!IPNetwork.TryParse(cidr, out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork || network.PrefixLength > 30
            || !IPAddress.Parse(cidr[..cidr.IndexOf('/')]).Equals(network.BaseAddress))
            throw new ArgumentException($"pod CIDR \"{cidr}\" is not an IPv4 network address of a /30 or larger range", nameof(cidr));
        Cidr = network.ToString();
        var baseAddress = ToUInt(network.BaseAddress);
        var size = 1u << (32 - network.PrefixLength);
        _first = baseAddress + 2;
        _last = baseAddress + size - 2;
        _lastHandedOut = _last;
    }

    /// <summary>The range, normalised (<c>10.244.1.0/24</c>).</summary>
    public string Cidr { get; }

    /// <summary>How many addresses are handed out.</summary>
    public int Allocated => _used.Count;

    /// <summary>The next free address, now marked used; null if the range is exhausted.</summary>
    public string? Allocate()
    {
        var count = _last - _first + 1;
        for (uint step = 1; step <= count; step++)
        {
            var candidate = _first + (_lastHandedOut - _first + step) % count;
            if (!_used.Add(candidate)) continue;
            _lastHandedOut = candidate;
            return ToAddress(candidate).ToString();
        }
        return null;
    }

    /// <summary>Marks <paramref name="ip"/> used (adoption of an existing pod); false if it is outside the range or taken.</summary>
    public bool Reserve(string ip) =>
        IPAddress.TryParse(ip, out var address) && InRange(ToUInt(address)) && _used.Add(ToUInt(address));

    /// <summary>Returns <paramref name="ip"/> to the pool; releasing a free or foreign address does nothing.</summary>
    public void Release(string ip)
    {
        if (IPAddress.TryParse(ip, out var address)) _used.Remove(ToUInt(address));
    }

    private bool InRange(uint value) => value >= _first && value <= _last;

    private static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static IPAddress ToAddress(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
}
