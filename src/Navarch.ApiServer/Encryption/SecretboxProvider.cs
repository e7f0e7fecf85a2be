using System.Security.Cryptography;
using System.Text;
using Sodium;

namespace Navarch.ApiServer.Encryption;

/// <summary>
/// Upstream's <c>secretbox</c> provider: NaCl's XSalsa20-Poly1305 (libsodium through Sodium.Core) with a 32-byte key and
/// a random 24-byte nonce per write; stored as <c>k8s:enc:secretbox:v1:NAME:</c> + nonce + MAC + ciphertext (Go's
/// secretbox.Seal layout, which is libsodium's "easy" one).
/// </summary>
public sealed class SecretboxProvider : IEncryptionProvider
{
    private const int NonceSize = 24;
    private const int MacSize = 16;
    private readonly byte[] _key;

    public SecretboxProvider(string name, byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException($"secretbox key \"{name}\" has {key.Length} bytes; want 32");
        _key = key;
        Prefix = $"k8s:enc:secretbox:v1:{name}:";
    }

    public string Prefix { get; }

    public byte[] Encrypt(ReadOnlySpan<byte> plain, string storageKey)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var sealedBox = SecretBox.Create(plain.ToArray(), nonce, _key);
        return [.. Encoding.ASCII.GetBytes(Prefix), .. nonce, .. sealedBox];
    }

    public byte[] Decrypt(ReadOnlySpan<byte> stored, string storageKey)
    {
        var body = stored[Encoding.ASCII.GetByteCount(Prefix)..];
        if (body.Length < NonceSize + MacSize) throw new CryptographicException("the stored value is too short for secretbox");
        return SecretBox.Open(body[NonceSize..].ToArray(), body[..NonceSize].ToArray(), _key);
    }
}
