using System.Text;
using Google.Protobuf;

namespace Navarch.Storage.Etcd;

/// <summary>
/// Maps store keys to etcd keys and back: the store's root (<c>/registry</c>) is replaced by the configured prefix
/// (<c>--etcd-prefix</c>, also <c>/registry</c> by default, so nothing changes and etcdctl reads the keys as upstream's).
/// </summary>
internal sealed class EtcdKeySpace(string root, string prefix)
{
    public ByteString ToEtcd(string key)
    {
        if (!key.StartsWith(root, StringComparison.Ordinal))
            throw new ArgumentException($"The key {key} is outside the store's root {root}.", nameof(key));
        return ByteString.CopyFromUtf8(prefix + key[root.Length..]);
    }

    public string FromEtcd(ByteString key) => root + Encoding.UTF8.GetString(key.Span[Encoding.UTF8.GetByteCount(prefix)..]);

    /// <summary>The etcd range [start, end) holding the store keys that start with <paramref name="keyPrefix"/>;
    /// null when no store key can (the prefix diverges from the root).</summary>
    public (ByteString Start, ByteString End)? Range(string keyPrefix)
    {
        ByteString start;
        if (keyPrefix.StartsWith(root, StringComparison.Ordinal))
            start = ToEtcd(keyPrefix);
        else if (root.StartsWith(keyPrefix, StringComparison.Ordinal))
            start = ByteString.CopyFromUtf8(prefix);
        else
            return null;
        return start.Length == 0 ? (ByteString.CopyFrom(0), ByteString.CopyFrom(0)) : (start, PrefixEnd(start));
    }

    /// <summary>The smallest key greater than every key starting with <paramref name="start"/> (etcd's "range end" of a prefix).</summary>
    public static ByteString PrefixEnd(ByteString start)
    {
        var end = start.ToByteArray();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return ByteString.CopyFrom(end, 0, i + 1);
            }
        }
        return ByteString.CopyFrom(0); // all 0xff: to the end of the key space
    }
}
