using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Navarch.Api.ServiceAccounts;

namespace Navarch.Api.Tests.ServiceAccounts;

[Trait("Category", "Unit")]
public sealed class TokenVerifierTests
{
    private const string Issuer = ServiceAccountClaims.DefaultIssuer;
    private static readonly RSA Key = RSA.Create(2048);
    private static readonly RSA OtherKey = RSA.Create(2048);
    private static readonly DateTimeOffset Now = new(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);
    private static readonly TokenVerifier Verifier = new([Key], [Issuer], [Issuer]);

    private static string Token(DateTimeOffset? issuedAt = null, long seconds = 3600, string[]? audiences = null, RSA? key = null, string issuer = Issuer,
        ObjectRef? pod = null)
    {
        var claims = ServiceAccountClaims.Bound(issuer, audiences ?? [Issuer], issuedAt ?? Now, seconds, "team",
            new ObjectRef("robot", "uid-robot"), pod, null, null, "jti-1");
        return JsonWebToken.Sign(claims, key ?? Key, JsonWebToken.KeyId(key ?? Key));
    }

    [Fact]
    public void A_signed_token_verifies_and_says_who_and_what_it_is_bound_to()
    {
        var check = Verifier.Check(Token(pod: new ObjectRef("web", "uid-web")), Now);
        Assert.Null(check.Error);
        var sa = check.Token!;
        Assert.Equal(("team", "robot", "uid-robot", "jti-1"), (sa.Namespace, sa.Name, sa.Uid, sa.Jti));
        Assert.Equal(new ObjectRef("web", "uid-web"), sa.Pod);
        Assert.Equal([Issuer], sa.Audiences);
        Assert.Equal(Now.AddHours(1), sa.Expires);
        Assert.Equal("system:serviceaccount:team:robot", ServiceAccountClaims.UserName(sa.Namespace, sa.Name));
    }

    [Fact]
    public void The_claims_are_upstreams()
    {
        var (header, claims) = JsonWebToken.Read(Token(pod: new ObjectRef("web", "uid-web")))!.Value;
        Assert.Equal("RS256", (string?)header["alg"]);
        Assert.Equal(JsonWebToken.KeyId(Key), (string?)header["kid"]);
        Assert.Equal("system:serviceaccount:team:robot", (string?)claims["sub"]);
        Assert.Equal(Now.ToUnixTimeSeconds(), (long?)claims["iat"]);
        Assert.Equal(Now.ToUnixTimeSeconds(), (long?)claims["nbf"]);
        Assert.Equal(Now.ToUnixTimeSeconds() + 3600, (long?)claims["exp"]);
        var k = claims["kubernetes.io"]!;
        Assert.Equal("team", (string?)k["namespace"]);
        Assert.Equal("web", (string?)k["pod"]!["name"]);
        Assert.Equal("uid-web", (string?)k["pod"]!["uid"]);
        Assert.Equal("robot", (string?)k["serviceaccount"]!["name"]);
    }

    [Theory]
    [InlineData("payload")]
    [InlineData("signature")]
    [InlineData("header-alg-none")]
    public void A_tampered_token_is_refused(string part)
    {
        var pieces = Token().Split('.');
        switch (part)
        {
            case "payload":
                var claims = JsonNode.Parse(JsonWebToken.FromBase64Url(pieces[1]))!;
                claims["kubernetes.io"]!["namespace"] = "kube-system";
                pieces[1] = JsonWebToken.Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
                break;
            case "signature":
                var sig = JsonWebToken.FromBase64Url(pieces[2]);
                sig[10] ^= 1;
                pieces[2] = JsonWebToken.Base64Url(sig);
                break;
            default:
                pieces[0] = JsonWebToken.Base64Url("""{"alg":"none"}"""u8);
                pieces[2] = "";
                break;
        }
        var check = Verifier.Check(string.Join('.', pieces), Now);
        Assert.True(check.Applies);
        Assert.Null(check.Token);
        Assert.StartsWith("invalid bearer token", check.Error);
    }

    [Fact]
    public void A_token_signed_with_another_key_is_refused() =>
        Assert.StartsWith("invalid bearer token", Verifier.Check(Token(key: OtherKey), Now).Error);

    [Theory]
    [InlineData(-7200, 3600, "service account token has expired")]
    [InlineData(-3600 - 61, 3600, "service account token has expired")]
    [InlineData(120, 3600, "service account token is not valid yet")]
    public void Tokens_outside_their_validity_are_refused(int issuedOffsetSeconds, long lifetime, string error) =>
        Assert.Equal(error, Verifier.Check(Token(Now.AddSeconds(issuedOffsetSeconds), lifetime), Now).Error);

    [Fact]
    public void Clock_skew_up_to_a_minute_is_tolerated()
    {
        Assert.Null(Verifier.Check(Token(Now.AddSeconds(-3600 - 30)), Now).Error);
        Assert.Null(Verifier.Check(Token(Now.AddSeconds(30)), Now).Error);
    }

    [Fact]
    public void A_token_for_another_audience_is_refused_unless_that_audience_is_asked_for()
    {
        var token = Token(audiences: ["vault"]);
        Assert.Equal("token audiences [\"vault\"] is invalid for the target audiences [\"https://kubernetes.default.svc.cluster.local\"]", Verifier.Check(token, Now).Error);
        Assert.Null(Verifier.Check(token, Now, ["vault"]).Error);
    }

    [Theory]
    [InlineData("abcdef.0123456789abcdef")]
    [InlineData("static-token")]
    [InlineData("a.b.c")]
    public void Tokens_that_are_not_jwts_are_left_to_other_authenticators(string token) =>
        Assert.False(Verifier.Check(token, Now).Applies);

    [Fact]
    public void A_jwt_of_another_issuer_is_left_to_other_authenticators() =>
        Assert.False(Verifier.Check(Token(issuer: "https://accounts.example.com"), Now).Applies);

    [Fact]
    public void A_legacy_token_has_no_expiry_and_names_its_secret()
    {
        var token = JsonWebToken.Sign(ServiceAccountClaims.Legacy("team", new ObjectRef("robot", "uid-robot"), "robot-token"), Key, "k");
        var sa = Verifier.Check(token, Now.AddYears(5)).Token!;
        Assert.True(sa.IsLegacy);
        Assert.Equal(("team", "robot", "uid-robot", "robot-token"), (sa.Namespace, sa.Name, sa.Uid, sa.LegacySecretName));
    }

    [Fact]
    public void The_jwk_names_the_key_as_the_header_does()
    {
        var jwk = JsonWebToken.Jwk(Key);
        Assert.Equal(("RSA", "RS256", "sig"), ((string?)jwk["kty"], (string?)jwk["alg"], (string?)jwk["use"]));
        Assert.Equal(JsonWebToken.KeyId(Key), (string?)jwk["kid"]);
        var p = Key.ExportParameters(false);
        Assert.Equal(p.Modulus, JsonWebToken.FromBase64Url((string)jwk["n"]!));
    }
}
