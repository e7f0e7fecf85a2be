using System.Text.Json.Nodes;
using Navarch.Api.Protobuf;

namespace Navarch.Api.Tests.Protobuf;

/// <summary>Bodies kubectl 1.32 sends as application/vnd.kubernetes.protobuf, decoded to the JSON the server reads.</summary>
[Trait("Category", "Unit")]
public class KubernetesProtobufTests
{
    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    // `kubectl create deployment web2 --image=nginx --replicas=2 --port=80` as kubectl 1.32.4 sends it (its -v=9 dump).
    private const string KubectlDeployment =
        "6b 38 73 00 0a 15 0a 07 61 70 70 73 2f 76 31 12 0a 44 65 70 6c 6f 79 6d 65 6e 74 12 bc 01 0a 21 " +
        "0a 04 77 65 62 32 12 00 1a 00 22 00 2a 00 32 00 38 00 42 00 5a 0b 0a 03 61 70 70 12 04 77 65 62 " +
        "32 12 88 01 08 02 12 0d 0a 0b 0a 03 61 70 70 12 04 77 65 62 32 1a 6d 0a 1d 0a 00 12 00 1a 00 22 " +
        "00 2a 00 32 00 38 00 42 00 5a 0b 0a 03 61 70 70 12 04 77 65 62 32 12 4c 12 2e 0a 05 6e 67 69 6e " +
        "78 12 05 6e 67 69 6e 78 2a 00 32 0a 0a 00 10 00 18 50 22 00 2a 00 42 00 6a 00 72 00 80 01 00 88 " +
        "01 00 90 01 00 a2 01 00 1a 00 32 00 42 00 4a 00 52 00 58 00 60 00 68 00 82 01 00 8a 01 00 9a 01 " +
        "00 c2 01 00 22 02 0a 00 28 00 38 00 1a 0c 08 00 10 00 18 00 20 00 28 00 38 00 1a 00 22 00";

    [Fact]
    public void Kubectl_create_deployment_body_decodes_to_the_deployment()
    {
        var obj = KubernetesProtobuf.Decode(Bytes(KubectlDeployment));
        Assert.Equal("apps/v1", (string)obj["apiVersion"]!);
        Assert.Equal("Deployment", (string)obj["kind"]!);
        Assert.Equal("web2", (string)obj["metadata"]!["name"]!);
        Assert.Equal("web2", (string)obj["metadata"]!["labels"]!["app"]!);
        Assert.Null(obj["metadata"]!["namespace"]);
        Assert.Null(obj["metadata"]!["creationTimestamp"]);
        var spec = obj["spec"]!;
        Assert.Equal(2, (int)spec["replicas"]!);
        Assert.Equal("web2", (string)spec["selector"]!["matchLabels"]!["app"]!);
        var container = spec["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("nginx", (string)container["name"]!);
        Assert.Equal("nginx", (string)container["image"]!);
        Assert.Equal(80, (int)container["ports"]![0]!["containerPort"]!);
        Assert.Null(container["imagePullPolicy"]);
        Assert.Null(spec["template"]!["spec"]!["restartPolicy"]);
    }

    [Fact]
    public void A_protobuf_role_binding_decodes_by_the_rbac_field_numbers()
    {
        // metadata { name "b" }, subjects [{ kind "User", apiGroup "rbac.authorization.k8s.io", name "alice" }],
        // roleRef { apiGroup "rbac.authorization.k8s.io", kind "ClusterRole", name "view" }
        var subject = Concat(Str(1, "User"), Str(2, "rbac.authorization.k8s.io"), Str(3, "alice"));
        var roleRef = Concat(Str(1, "rbac.authorization.k8s.io"), Str(2, "ClusterRole"), Str(3, "view"));
        var binding = Concat(Msg(1, Str(1, "b")), Msg(2, subject), Msg(3, roleRef));

        var obj = KubernetesProtobuf.Decode(Envelope("rbac.authorization.k8s.io/v1", "RoleBinding", binding));

        Assert.Equal("b", (string)obj["metadata"]!["name"]!);
        Assert.Equal("alice", (string)obj["subjects"]![0]!["name"]!);
        Assert.Equal("User", (string)obj["subjects"]![0]!["kind"]!);
        Assert.Equal(("ClusterRole", "view"), ((string)obj["roleRef"]!["kind"]!, (string)obj["roleRef"]!["name"]!));
    }

    [Fact]
    public void A_protobuf_cluster_role_decodes_its_rules_and_aggregation()
    {
        // rules [{ verbs ["get","list"], apiGroups [""], resources ["pods"] }], aggregationRule { selectors [{ matchLabels { a: b } }] }
        var rule = Concat(Str(1, "get"), Str(1, "list"), Str(2, ""), Str(3, "pods"));
        var selector = Msg(1, Concat(Str(1, "a"), Str(2, "b")));
        var role = Concat(Msg(1, Str(1, "r")), Msg(2, rule), Msg(3, Msg(1, selector)));

        var obj = KubernetesProtobuf.Decode(Envelope("rbac.authorization.k8s.io/v1", "ClusterRole", role));

        var decoded = obj["rules"]![0]!;
        Assert.Equal(["get", "list"], decoded["verbs"]!.AsArray().Select(v => (string)v!));
        Assert.Equal([""], decoded["apiGroups"]!.AsArray().Select(v => (string)v!));
        Assert.Equal("b", (string)obj["aggregationRule"]!["clusterRoleSelectors"]![0]!["matchLabels"]!["a"]!);
    }

    [Fact]
    public void A_protobuf_csr_approval_decodes_its_conditions()
    {
        // status { conditions [{ type "Approved", status "True", reason "KubectlApprove", message "m" }] }
        var condition = Concat(Str(1, "Approved"), Str(6, "True"), Str(2, "KubectlApprove"), Str(3, "m"));
        var csr = Concat(Msg(1, Str(1, "c")), Msg(3, Msg(1, condition)));

        var obj = KubernetesProtobuf.Decode(Envelope("certificates.k8s.io/v1", "CertificateSigningRequest", csr));

        var decoded = obj["status"]!["conditions"]![0]!;
        Assert.Equal(("Approved", "True", "KubectlApprove"), ((string)decoded["type"]!, (string)decoded["status"]!, (string)decoded["reason"]!));
    }

    private static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        Concat("k8s\0"u8.ToArray(), Msg(1, Concat(Str(1, apiVersion), Str(2, kind))), Msg(2, raw));

    private static byte[] Str(int field, string value) => Msg(field, System.Text.Encoding.UTF8.GetBytes(value));

    private static byte[] Msg(int field, byte[] body) => Concat([(byte)(field << 3 | 2), (byte)body.Length], body);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    [Fact]
    public void Malformed_bodies_throw_a_proto_exception()
    {
        Assert.Throws<ProtoException>(() => KubernetesProtobuf.Decode("{}"u8));
        Assert.Throws<ProtoException>(() => KubernetesProtobuf.Decode(Bytes("6b 38 73 00 0a 15 0a")));
        Assert.Throws<ProtoException>(() => KubernetesProtobuf.Decode(Bytes("6b 38 73 00 0a 06 0a 01 78 12 01 59")));
        // A Namespace whose metadata.creationTimestamp (8) is 2^62 seconds: past .NET's last year.
        var farFuture = Concat(Msg(1, Concat([8 << 3 | 2, 10], [1 << 3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40])));
        Assert.Throws<ProtoException>(() => KubernetesProtobuf.Decode(Envelope("v1", "Namespace", farFuture)));
    }
}
