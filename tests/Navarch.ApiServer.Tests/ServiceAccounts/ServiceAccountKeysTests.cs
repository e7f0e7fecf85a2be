using System.Security.Cryptography;
using Navarch.Api.ServiceAccounts;
using Navarch.ApiServer.ServiceAccounts;

namespace Navarch.ApiServer.Tests.ServiceAccounts;

[Trait("Category", "Unit")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes
public sealed class ServiceAccountKeysTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("navarch-sa-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_server_makes_its_key_once_private_and_keeps_it()
    {
        var first = ServiceAccountKeys.Ensure(new ServiceAccountOptions(), _dir);
        var keyFile = Path.Combine(_dir, "sa.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.Contains("BEGIN PUBLIC KEY", File.ReadAllText(Path.Combine(_dir, "sa.pub")));
        Assert.Equal(first.KeyId, ServiceAccountKeys.Ensure(new ServiceAccountOptions(), _dir).KeyId);
    }

    [Fact]
    public void A_given_signing_key_signs_and_listed_keys_verify_tokens_of_a_retired_key()
    {
        using var signing = RSA.Create(2048);
        using var retired = RSA.Create(2048);
        var signingFile = Write("signing.key", signing.ExportRSAPrivateKeyPem());
        var retiredFile = Write("retired.pub", retired.ExportSubjectPublicKeyInfoPem());
        var options = new ServiceAccountOptions { SigningKeyFile = signingFile, KeyFiles = [retiredFile], Issuers = ["https://issuer.example", "old-issuer"] };
        options.Validate();
        var keys = ServiceAccountKeys.Ensure(options, _dir);

        Assert.Equal(JsonWebToken.KeyId(signing), keys.KeyId);
        Assert.False(File.Exists(Path.Combine(_dir, "sa.key")));
        var verifier = new TokenVerifier(keys.Verifying, options.EffectiveIssuers, options.EffectiveIssuers);
        var now = DateTimeOffset.UtcNow;
        var claims = ServiceAccountClaims.Bound("old-issuer", ["old-issuer"], now, 600, "ns", new ObjectRef("sa", "uid"), null, null, null, "j");
        Assert.Null(verifier.Check(JsonWebToken.Sign(claims, retired, "old"), now).Error);
        Assert.Null(verifier.Check(JsonWebToken.Sign(claims, keys.Signing, keys.KeyId), now).Error);
    }

    [Fact]
    public void Unusable_key_files_and_issuers_are_refused_naming_the_flag()
    {
        var garbage = Write("garbage.pem", "not a key");
        Assert.StartsWith("--service-account-signing-key-file:",
            Assert.Throws<ArgumentException>(() => ServiceAccountKeys.Ensure(new ServiceAccountOptions { SigningKeyFile = garbage }, _dir)).Message);
        Assert.StartsWith("--service-account-key-file:",
            Assert.Throws<ArgumentException>(() => ServiceAccountKeys.Ensure(new ServiceAccountOptions { KeyFiles = [garbage] }, _dir)).Message);
        Assert.StartsWith("--service-account-key-file:",
            Assert.Throws<ArgumentException>(() => new ServiceAccountOptions { KeyFiles = [Path.Combine(_dir, "missing")] }.Validate()).Message);
        Assert.StartsWith("--service-account-issuer:",
            Assert.Throws<ArgumentException>(() => new ServiceAccountOptions { Issuers = ["http://"] }.Validate()).Message);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
