using k8s.Models;
using Navarch.Api.Protobuf;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Registry;

namespace Navarch.Integration.Tests.Security;

/// <summary>The static token CSV and the protobuf reviews kubectl sends, read without a server.</summary>
[Trait("Category", "Unit")]
public sealed class CredentialParsingTests
{
    [Fact]
    public void The_token_file_reads_upstreams_csv()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# comment\n\ntok1,alice,uid-1,\"g1,g2\"\ntok2,bob,uid-2\n");
            var tokens = TokenFileAuthenticator.Load(path);
            Assert.Equal(2, tokens.Count);
            var alice = tokens.Authenticate("tok1").User!;
            Assert.Equal(("alice", "uid-1"), (alice.Name, alice.Uid));
            Assert.Equal(["g1", "g2"], alice.Groups);
            Assert.Empty(tokens.Authenticate("tok2").User!.Groups);
            Assert.False(tokens.Authenticate("tok3").Applies);

            File.WriteAllText(path, "tok1,alice\n");
            var e = Assert.Throws<ArgumentException>(() => TokenFileAuthenticator.Load(path));
            Assert.Contains($"{path}:1", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_protobuf_self_subject_access_review_reads_its_attributes()
    {
        // spec { resourceAttributes { namespace "ns", verb "delete", resource "pods", name "x" } }
        var attributes = Concat(Str(1, "ns"), Str(2, "delete"), Str(5, "pods"), Str(7, "x"));
        var review = Concat(Msg(1, []), Msg(2, Msg(1, attributes)));
        var envelope = Concat("k8s\0"u8.ToArray(), Msg(1, Concat(Str(1, "authorization.k8s.io/v1"), Str(2, "SelfSubjectAccessReview"))), Msg(2, review));

        var parsed = RequestBody.DecodePosted<V1SelfSubjectAccessReview>(envelope, KubernetesProtobuf.MediaType)!;
        var r = parsed.Spec.ResourceAttributes;
        Assert.Equal(("ns", "delete", "pods", "x", (string?)null), (r.NamespaceProperty, r.Verb, r.Resource, r.Name, r.Group));
        Assert.Null(parsed.Spec.NonResourceAttributes);

        Assert.Equal(400, Assert.Throws<ApiException>(() => RequestBody.DecodePosted<V1SelfSubjectAccessReview>("{\"kind\":1}"u8, KubernetesProtobuf.MediaType)).Code);
        Assert.Equal(400, Assert.Throws<ApiException>(() =>
            RequestBody.DecodePosted<V1SelfSubjectAccessReview>(Concat("k8s\0"u8.ToArray(), [0x12, 0x7f, 0x01]), KubernetesProtobuf.MediaType)).Code);
    }

    [Fact]
    public void A_protobuf_token_request_reads_its_audiences_expiry_and_bound_object()
    {
        // spec { audiences "api", boundObjectRef { kind "Pod", apiVersion "v1", name "p", uid "u" }, expirationSeconds 600 }
        var bound = Concat(Str(1, "Pod"), Str(2, "v1"), Str(3, "p"), Str(4, "u"));
        var spec = Concat(Str(1, "api"), Msg(3, bound), [4 << 3, 0xd8, 0x04]);
        var envelope = Concat("k8s\0"u8.ToArray(), Msg(1, Concat(Str(1, "authentication.k8s.io/v1"), Str(2, "TokenRequest"))), Msg(2, Concat(Msg(1, []), Msg(2, spec))));

        var parsed = RequestBody.DecodePosted<Authenticationv1TokenRequest>(envelope, KubernetesProtobuf.MediaType)!;
        Assert.Equal(["api"], parsed.Spec.Audiences);
        Assert.Equal(600, parsed.Spec.ExpirationSeconds);
        Assert.Equal(("Pod", "v1", "p", "u"), (parsed.Spec.BoundObjectRef.Kind, parsed.Spec.BoundObjectRef.ApiVersion, parsed.Spec.BoundObjectRef.Name, parsed.Spec.BoundObjectRef.Uid));
    }

    private static byte[] Str(int field, string value) => Msg(field, System.Text.Encoding.UTF8.GetBytes(value));

    private static byte[] Msg(int field, byte[] body) => Concat([(byte)(field << 3 | 2), (byte)body.Length], body);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}

/// <summary>The flags of the two ports, checked at start with messages that name the flag.</summary>
[Trait("Category", "Unit")]
public sealed class SecureServingOptionsTests
{
    [Theory]
    [InlineData("0.0.0.0", 8080, 6443, "--bind: the insecure port has no authentication")]
    [InlineData("::", 8080, 0, "--bind: the insecure port has no authentication")]
    [InlineData("127.0.0.1", 0, 0, "--secure-port: 0 with --insecure-port 0")]
    [InlineData("127.0.0.1", 8080, 70000, "--secure-port: 70000 is not a port")]
    public void Bad_combinations_are_refused(string bind, int insecure, int secure, string message)
    {
        var options = new Navarch.ApiServer.ApiServerOptions { Bind = bind, InsecurePort = insecure, SecurePort = secure };
        Assert.StartsWith(message, Assert.Throws<ArgumentException>(options.Validate).Message);
    }

    [Fact]
    public void A_wildcard_is_fine_when_the_insecure_port_is_off()
    {
        var options = new Navarch.ApiServer.ApiServerOptions { Bind = "0.0.0.0", InsecurePort = 0, SecurePort = 6443 };
        Assert.Null(Record.Exception(options.Validate));
    }
}
