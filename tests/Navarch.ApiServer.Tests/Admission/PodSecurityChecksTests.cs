using k8s;
using k8s.Models;
using Navarch.ApiServer.Admission.PodSecurity;

namespace Navarch.ApiServer.Tests.Admission;

/// <summary>Each check of the Pod Security Standards on a small pod, against upstream's message for it.</summary>
[Trait("Category", "Unit")]
public sealed class PodSecurityChecksTests
{
    /// <summary>A pod that passes restricted: the base every case below changes in one place.</summary>
    private const string Restricted = """
        {"metadata":{"name":"p"},"spec":{
          "securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
          "containers":[{"name":"c","image":"x","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}
        """;

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // name, level, JSON merge patch applied to the restricted pod, expected ForbiddenDetail ("" = allowed)
        { "restricted pod passes restricted", "restricted", "{}", "" },
        { "hostPath", "baseline", """{"spec":{"volumes":[{"name":"root","hostPath":{"path":"/"}}]}}""", "hostPath volumes (volume \"root\")" },
        { "two hostPaths", "baseline", """{"spec":{"volumes":[{"name":"a","hostPath":{"path":"/a"}},{"name":"b","hostPath":{"path":"/b"}}]}}""", "hostPath volumes (volumes \"a\", \"b\")" },
        { "hostPath under restricted", "restricted", """{"spec":{"volumes":[{"name":"root","hostPath":{"path":"/"}}]}}""", "restricted volume types (volume \"root\" uses restricted volume type \"hostPath\")" },
        { "host namespaces", "baseline", """{"spec":{"hostNetwork":true,"hostPID":true}}""", "host namespaces (hostNetwork, hostPID)" },
        { "privileged", "baseline", """{"spec":{"containers":[{"name":"c","image":"x","securityContext":{"privileged":true}}]}}""", "privileged (container \"c\" must not set securityContext.privileged=true)" },
        { "hostPort", "baseline", """{"spec":{"containers":[{"name":"c","image":"x","ports":[{"containerPort":80,"hostPort":8080}]}]}}""", "hostPort (container \"c\" uses hostPort 8080)" },
        { "capabilities baseline", "baseline", """{"spec":{"containers":[{"name":"c","image":"x","securityContext":{"capabilities":{"add":["NET_ADMIN","CHOWN"]}}}]}}""",
            "non-default capabilities (container \"c\" must not include \"NET_ADMIN\" in securityContext.capabilities.add)" },
        { "apparmor annotation", "baseline", """{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/c":"unconfined"}}}""",
            "forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/c=\"unconfined\")" },
        { "selinux", "baseline", """{"spec":{"securityContext":{"seLinuxOptions":{"type":"spc_t","user":"u"}}}}""",
            "seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type \"spc_t\"; user may not be set)" },
        { "procMount", "baseline", """{"spec":{"containers":[{"name":"c","image":"x","securityContext":{"procMount":"Unmasked"}}]}}""",
            "procMount (container \"c\" must not set securityContext.procMount to \"Unmasked\")" },
        { "seccomp unconfined", "baseline", """{"spec":{"securityContext":{"seccompProfile":{"type":"Unconfined"}}}}""",
            "seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")" },
        { "sysctls", "baseline", """{"spec":{"securityContext":{"sysctls":[{"name":"kernel.msgmax","value":"1"},{"name":"net.ipv4.tcp_syncookies","value":"1"}]}}}""",
            "forbidden sysctls (kernel.msgmax)" },
        { "privilege escalation", "restricted", """{"spec":{"containers":[{"name":"c","image":"x","securityContext":{"capabilities":{"drop":["ALL"]}}}]}}""",
            "allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false)" },
        { "runAsNonRoot missing", "restricted", """{"spec":{"securityContext":{"runAsNonRoot":null}}}""",
            "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true)" },
        { "runAsUser 0", "restricted", """{"spec":{"securityContext":{"runAsUser":0}}}""", "runAsUser=0 (pod must not set runAsUser=0)" },
        { "seccomp missing", "restricted", """{"spec":{"securityContext":{"seccompProfile":null}}}""",
            "seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")" },
        { "capabilities restricted", "restricted", """{"spec":{"containers":[{"name":"c","image":"x","securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"add":["SYS_TIME"]}}}]}}""",
            "unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]; container \"c\" must not include \"SYS_TIME\" in securityContext.capabilities.add)" },
        { "baseline ignores restricted-only rules", "baseline", """{"spec":{"securityContext":null,"containers":[{"name":"c","image":"x"}]}}""", "" },
        { "privileged level allows anything", "privileged", """{"spec":{"hostPID":true,"volumes":[{"name":"root","hostPath":{"path":"/"}}]}}""", "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check_reports_upstreams_reason_and_detail(string name, string level, string patch, string expected)
    {
        var pod = Pod(patch);
        var lv = new LevelVersion(Enum.Parse<PodSecurityLevel>(level, ignoreCase: true), null);
        var result = PodSecurityEvaluator.Evaluate(lv, pod.Metadata, pod.Spec);
        Assert.True(expected == result.ForbiddenDetail, $"{name}: got \"{result.ForbiddenDetail}\"");
    }

    [Fact]
    public void Restricted_lists_every_failure_in_upstreams_order()
    {
        var pod = Pod("""{"spec":{"securityContext":null,"volumes":[{"name":"root","hostPath":{"path":"/"}}],"containers":[{"name":"nginx","image":"x","securityContext":{"privileged":true}}]}}""");
        var result = PodSecurityEvaluator.Evaluate(new LevelVersion(PodSecurityLevel.Restricted, null), pod.Metadata, pod.Spec);
        Assert.Equal(
            "privileged, allowPrivilegeEscalation != false, unrestricted capabilities, restricted volume types, runAsNonRoot != true, seccompProfile",
            result.ForbiddenReason);
    }

    [Fact]
    public void Older_policy_versions_skip_checks_added_later()
    {
        var pod = Pod("""{"spec":{"securityContext":{"runAsUser":0},"containers":[{"name":"c","image":"x","securityContext":{"allowPrivilegeEscalation":false}}]}}""");
        var v121 = PodSecurityEvaluator.Evaluate(new LevelVersion(PodSecurityLevel.Restricted, 21), pod.Metadata, pod.Spec);
        Assert.True(v121.Allowed, v121.ForbiddenDetail); // capabilities_restricted is 1.22+, runAsUser 1.23+
        var latest = PodSecurityEvaluator.Evaluate(new LevelVersion(PodSecurityLevel.Restricted, null), pod.Metadata, pod.Spec);
        Assert.Equal("unrestricted capabilities, runAsUser=0", latest.ForbiddenReason);
    }

    [Theory]
    [InlineData(null, null, "privileged:latest", 0)]
    [InlineData("baseline", null, "baseline:latest", 0)]
    [InlineData("restricted", "v1.27", "restricted:v1.27", 0)]
    [InlineData("bogus", null, "restricted:latest", 1)]
    [InlineData("baseline", "1.27", "restricted:latest", 1)]
    public void Labels_give_the_policy_and_bad_values_fall_back_to_restricted(string? level, string? version, string expected, int errorCount)
    {
        var labels = new Dictionary<string, string>();
        if (level is not null) labels["pod-security.kubernetes.io/enforce"] = level;
        if (version is not null) labels["pod-security.kubernetes.io/enforce-version"] = version;
        var policy = PodSecurityPolicy.FromLabels(labels, out var errors);
        Assert.Equal(expected, policy.Enforce.ToString());
        Assert.Equal(errorCount, errors.Count);
        Assert.Equal("privileged:latest", policy.Warn.ToString());
    }

    private static V1Pod Pod(string mergePatch)
    {
        var merged = Navarch.Api.Patching.MergePatch.Apply(System.Text.Json.Nodes.JsonNode.Parse(Restricted)!, System.Text.Json.Nodes.JsonNode.Parse(mergePatch)!);
        return KubernetesJson.Deserialize<V1Pod>(merged!.ToJsonString());
    }
}
