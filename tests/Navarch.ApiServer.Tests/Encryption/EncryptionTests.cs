using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Navarch.Api.Resources;
using Navarch.ApiServer.Encryption;
using Navarch.Storage;
using Navarch.Storage.Memory;

namespace Navarch.ApiServer.Tests.Encryption;

[Trait("Category", "Unit")]
public sealed class EncryptionTests
{
    private const string SecretKey = "/registry/secrets/default/db";
    private static readonly byte[] Plain = Encoding.UTF8.GetBytes("""{"data":{"password":"aHVudGVyMg=="},"kind":"Secret"}""");
    private static readonly byte[] Key32 = RandomNumberGenerator.GetBytes(32);

    public static TheoryData<string> Providers => ["aesgcm", "secretbox"];

    private static IEncryptionProvider Provider(string type, string name = "key1", byte[]? key = null) => type == "aesgcm"
        ? new AesGcmProvider(name, key ?? Key32)
        : new SecretboxProvider(name, key ?? Key32);

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_value_round_trips_and_is_stored_with_upstreams_prefix_and_no_plain_text(string type)
    {
        var provider = Provider(type);
        var stored = provider.Encrypt(Plain, SecretKey);
        Assert.StartsWith($"k8s:enc:{type}:v1:key1:", Encoding.ASCII.GetString(stored, 0, 25 + type.Length - 6));
        Assert.Equal(-1, stored.AsSpan().IndexOf("aHVudGVyMg"u8));
        Assert.Equal(Plain, provider.Decrypt(stored, SecretKey));
        Assert.NotEqual(stored, provider.Encrypt(Plain, SecretKey)); // a fresh nonce each write
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_changed_byte_or_another_key_fails_to_decrypt(string type)
    {
        var stored = Provider(type).Encrypt(Plain, SecretKey);
        var flipped = stored.ToArray();
        flipped[^3] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => Provider(type).Decrypt(flipped, SecretKey));
        Assert.ThrowsAny<CryptographicException>(() => Provider(type, key: RandomNumberGenerator.GetBytes(32)).Decrypt(stored, SecretKey));
    }

    [Fact]
    public void Aesgcm_binds_a_value_to_its_storage_key()
    {
        var stored = Provider("aesgcm").Encrypt(Plain, SecretKey);
        Assert.ThrowsAny<CryptographicException>(() => Provider("aesgcm").Decrypt(stored, "/registry/secrets/default/other"));
    }

    [Fact]
    public void The_first_provider_writes_the_others_read_and_what_they_read_is_stale()
    {
        var oldKey = Provider("aesgcm", "key1");
        var newKey = Provider("aesgcm", "key2", RandomNumberGenerator.GetBytes(32));
        var rotated = new ValueTransformer([newKey, oldKey, new IdentityProvider()]);

        Assert.Equal(Plain, rotated.Read(oldKey.Encrypt(Plain, SecretKey), SecretKey, out var stale));
        Assert.True(stale);
        Assert.Equal(Plain, rotated.Read(Plain, SecretKey, out stale)); // written before encryption was on
        Assert.True(stale);
        var written = rotated.Write(Plain, SecretKey);
        Assert.StartsWith("k8s:enc:aesgcm:v1:key2:", Encoding.ASCII.GetString(written));
        Assert.Equal(Plain, rotated.Read(written, SecretKey, out stale));
        Assert.False(stale);
    }

    [Fact]
    public void Without_identity_or_the_writing_key_a_value_cannot_be_read()
    {
        var stored = Provider("aesgcm", "gone").Encrypt(Plain, SecretKey);
        Assert.ThrowsAny<CryptographicException>(() => new ValueTransformer([Provider("aesgcm")]).Read(stored, SecretKey, out _));
        Assert.ThrowsAny<CryptographicException>(() => new ValueTransformer([Provider("aesgcm"), new IdentityProvider()]).Read(stored, SecretKey, out _));
        Assert.ThrowsAny<CryptographicException>(() => new ValueTransformer([Provider("aesgcm")]).Read(Plain, SecretKey, out _));
    }

    [Fact]
    public void The_configuration_names_resources_and_providers_in_upstreams_format()
    {
        var config = Config("""
            [{"resources":["secrets","configmaps"],"providers":[{"aesgcm":{"keys":[{"name":"k2","secret":"KEY16"},{"name":"k1","secret":"KEY16"}]}},{"identity":{}}]},
             {"resources":["secrets","*.apps"],"providers":[{"identity":{}}]}]
            """);
        var transformers = EncryptionConfiguration.Parse(config);
        var secrets = transformers[ResourceCatalog.Secrets];
        Assert.Equal(["k8s:enc:aesgcm:v1:k2:", "k8s:enc:aesgcm:v1:k1:", ""], secrets.Providers.Select(p => p.Prefix));
        Assert.Same(secrets, transformers[ResourceCatalog.ConfigMaps]);
        Assert.Equal("", transformers[ResourceCatalog.Deployments].Providers[0].Prefix); // the first entry naming a resource decides
        Assert.False(transformers.ContainsKey(ResourceCatalog.Pods));
    }

    [Theory]
    [InlineData("""[{"resources":["secrets"],"providers":[{"aescbc":{"keys":[{"name":"k","secret":"KEY16"}]}}]}]""", "provider \"aescbc\" is not supported")]
    [InlineData("""[{"resources":["secrets"],"providers":[{"aesgcm":{"keys":[{"name":"k","secret":"c2hvcnQ="}]}}]}]""", "has 5 bytes; want 16, 24 or 32")]
    [InlineData("""[{"resources":["secrets"],"providers":[{"secretbox":{"keys":[{"name":"k","secret":"KEY16"}]}}]}]""", "has 16 bytes; want 32")]
    [InlineData("""[{"resources":["secrets"],"providers":[{"aesgcm":{"keys":[{"name":"k","secret":"%%%"}]}}]}]""", "resources[0].providers[0].aesgcm.keys[0].secret: not base64")]
    [InlineData("""[{"resources":["secrets"],"providers":[]}]""", "resources[0].providers: Required value")]
    public void A_bad_configuration_is_refused_with_the_field_named(string resources, string error)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => EncryptionConfiguration.Parse(Config(resources)));
        Assert.Contains(error, e.Message);
    }

    [Fact]
    public async Task The_store_keeps_only_ciphertext_and_gives_back_plain_values_on_get_list_and_watch()
    {
        var inner = new MemoryStore();
        await using var store = new EncryptingStore(inner, new Dictionary<ResourceType, ValueTransformer>
        {
            [ResourceCatalog.Secrets] = new([Provider("aesgcm")]),
        });
        var watch = store.WatchAsync("/registry/", 0).GetAsyncEnumerator();
        var revision = await store.CreateAsync(SecretKey, Plain);
        await store.CreateAsync("/registry/configmaps/default/cm", Plain);

        Assert.Equal(-1, (await inner.GetAsync(SecretKey))!.Value.Span.IndexOf("aHVudGVyMg"u8));
        Assert.Equal(Plain, (await inner.GetAsync("/registry/configmaps/default/cm"))!.Value.ToArray()); // not named: as it is
        Assert.Equal(Plain, (await store.GetAsync(SecretKey))!.Value.ToArray());
        Assert.Equal(Plain, (await store.ListAsync("/registry/secrets/", new ListOptions())).Entries.Single().Value.ToArray());
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((SecretKey, revision), (watch.Current.Entry.Key, watch.Current.Entry.Revision));
        Assert.Equal(Plain, watch.Current.Entry.Value.ToArray());
        Assert.False(await store.IsStaleAsync(SecretKey, default));
        await watch.DisposeAsync();
    }

    private static JsonNode Config(string resources) => JsonNode.Parse($$"""
        {"apiVersion":"apiserver.config.k8s.io/v1","kind":"EncryptionConfiguration","resources":{{resources.Replace("KEY16", Convert.ToBase64String(new byte[16]))}}}
        """)!;
}
