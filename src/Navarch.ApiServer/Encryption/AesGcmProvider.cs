using System.Security.Cryptography;
using System.Text;

namespace Navarch.ApiServer.Encryption;

/// <summary>
/// Upstream's <c>aesgcm</c> provider: AES-GCM with a 16, 24 or 32-byte key, a random 12-byte nonce per write and a
/// 16-byte tag, the storage key as additional authenticated data; stored as <c>k8s:enc:aesgcm:v1:NAME:</c> + nonce +
/// ciphertext + tag (Go's gcm.Seal layout). Random nonces are why upstream asks to rotate a key every 200k writes.
/// </summary>
public sealed class AesGcmProvider : IEncryptionProvider
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public AesGcmProvider(string name, byte[] key)
    {
        if (key.Length is not (16 or 24 or 32)) throw new ArgumentException($"aesgcm key \"{name}\" has {key.Length} bytes; want 16, 24 or 32");
        _key = key;
        Prefix = $"k8s:enc:aesgcm:v1:{name}:";
    }

    public string Prefix { get; }

    public byte[] Encrypt(ReadOnlySpan<byte> plain, string storageKey)
    {
        var prefix = Encoding.ASCII.GetBytes(Prefix);
        var result = new byte[prefix.Length + NonceSize + plain.Length + TagSize];
        prefix.CopyTo(result, 0);
        var nonce = result.AsSpan(prefix.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, result.AsSpan(prefix.Length + NonceSize, plain.Length), result.AsSpan(result.Length - TagSize), Encoding.UTF8.GetBytes(storageKey));
        return result;
    }

    public byte[] Decrypt(ReadOnlySpan<byte> stored, string storageKey)
    {
        var body = stored[Encoding.ASCII.GetByteCount(Prefix)..];
        if (body.Length < NonceSize + TagSize) throw new CryptographicException("the stored value is too short for aesgcm");
        var cipher = body[NonceSize..^TagSize];
        var plain = new byte[cipher.Length];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(body[..NonceSize], cipher, body[^TagSize..], plain, Encoding.UTF8.GetBytes(storageKey));
        return plain;
    }
}
