namespace Navarch.ApiServer.Encryption;

/// <summary>Upstream's <c>identity</c> provider: values stored as they are (listed first, it turns encryption off for new writes).</summary>
public sealed class IdentityProvider : IEncryptionProvider
{
    public string Prefix => "";

    public byte[] Encrypt(ReadOnlySpan<byte> plain, string storageKey) => plain.ToArray();

    public byte[] Decrypt(ReadOnlySpan<byte> stored, string storageKey) => stored.ToArray();
}
