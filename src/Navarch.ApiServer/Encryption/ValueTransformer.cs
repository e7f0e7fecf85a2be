using System.Security.Cryptography;
using System.Text;

namespace Navarch.ApiServer.Encryption;

/// <summary>
/// The providers of one resource entry of the configuration, in order (upstream's prefix transformers): the first
/// writes; every one reads what carries its prefix, and identity (when listed) reads what carries none. A value read by
/// any provider but the first is stale: rewriting it moves it to the first (key rotation).
/// </summary>
public sealed class ValueTransformer(IReadOnlyList<IEncryptionProvider> providers)
{
    private static readonly byte[] EncryptedMark = "k8s:enc:"u8.ToArray();
    private readonly (byte[] Prefix, IEncryptionProvider Provider)[] _readers =
        providers.Where(p => p.Prefix.Length > 0).Select(p => (Encoding.ASCII.GetBytes(p.Prefix), p)).ToArray();
    private readonly IEncryptionProvider? _identity = providers.FirstOrDefault(p => p.Prefix.Length == 0);

    public IReadOnlyList<IEncryptionProvider> Providers => providers;

    public byte[] Write(ReadOnlySpan<byte> plain, string storageKey) => providers[0].Encrypt(plain, storageKey);

    /// <summary>The plain value; throws <see cref="CryptographicException"/> when no listed provider can read it.</summary>
    public byte[] Read(ReadOnlySpan<byte> stored, string storageKey, out bool stale)
    {
        foreach (var (prefix, provider) in _readers)
        {
            if (!stored.StartsWith(prefix)) continue;
            stale = provider != providers[0];
            return provider.Decrypt(stored, storageKey);
        }
        if (_identity is null || stored.StartsWith(EncryptedMark))
            throw new CryptographicException($"no provider of the encryption configuration reads the value of {storageKey} (was its key removed?)");
        stale = _identity != providers[0];
        return stored.ToArray();
    }

    /// <summary>Whether a stored value was written by another provider than the first.</summary>
    public bool IsStale(ReadOnlySpan<byte> stored, string storageKey)
    {
        Read(stored, storageKey, out var stale);
        return stale;
    }
}
