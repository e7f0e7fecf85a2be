namespace Navarch.ApiServer.Encryption;

/// <summary>
/// One provider of upstream's EncryptionConfiguration (aesgcm, secretbox, identity): what it writes starts with
/// <see cref="Prefix"/>, so that a reader can tell which provider (and key) wrote a value.
/// </summary>
public interface IEncryptionProvider
{
    /// <summary><c>k8s:enc:aesgcm:v1:KEYNAME:</c> and the like; empty for identity, which writes values as they are.</summary>
    string Prefix { get; }

    /// <summary>The stored form of <paramref name="plain"/>, prefix included. <paramref name="storageKey"/> is authenticated
    /// where the cipher allows (upstream binds aesgcm values to their etcd key), so a value moved to another key fails to read.</summary>
    byte[] Encrypt(ReadOnlySpan<byte> plain, string storageKey);

    /// <summary>The plain value of <paramref name="stored"/> (which starts with <see cref="Prefix"/>); throws
    /// <see cref="System.Security.Cryptography.CryptographicException"/> when it does not authenticate.</summary>
    byte[] Decrypt(ReadOnlySpan<byte> stored, string storageKey);
}
