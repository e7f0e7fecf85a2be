using Navarch.Storage;

namespace Navarch.ApiServer.Encryption;

/// <summary>Puts <see cref="EncryptingStore"/> in front of the backend when <c>--encryption-provider-config</c> is given.</summary>
public static class EncryptionSetup
{
    /// <summary>The store to use: <paramref name="store"/> itself without a configuration. Throws <see cref="ArgumentException"/>
    /// naming the flag when the file is not a valid configuration.</summary>
    public static IStore Wrap(IStore store, string? configPath)
    {
        if (configPath is null) return store;
        var transformers = EncryptionConfiguration.Load(configPath);
        return transformers.Count == 0 ? store : new EncryptingStore(store, transformers);
    }
}
