using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;

namespace Navarch.Integration.Tests;

/// <summary>
/// ConfigMaps, Secrets, apps/v1 and batch/v1 kinds through the real kubectl (1.32 sends protobuf bodies for its
/// typed creates, 1.27 JSON) and the C# client: create, get with upstream's columns, describe, get all, scale,
/// apply, patch; no controller runs here, so only what the API itself does is checked.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WorkloadKindsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    public static TheoryData<string> Binaries => [Kubectl.Default, Kubectl.V127];

    [Theory]
    [MemberData(nameof(Binaries))]
    public async Task Kubectl_creates_gets_describes_and_scales_the_new_kinds(string binary)
    {
        var ns = await fixture.NewNamespaceAsync("kinds-");
        using var k = fixture.Kubectl(binary);
        var (cert, key) = SelfSigned(k);

        Assert.Contains("deployment.apps/web created", (await k.OkAsync("-n", ns, "create", "deployment", "web", "--image=nginx", "--replicas=3", "--port=80")).Stdout);
        Assert.Contains("configmap/cfg created", (await k.OkAsync("-n", ns, "create", "configmap", "cfg", "--from-literal=a=1", "--from-literal=b=2")).Stdout);
        Assert.Contains("secret/pw created", (await k.OkAsync("-n", ns, "create", "secret", "generic", "pw", "--from-literal=password=hunter2")).Stdout);
        Assert.Contains("secret/tls created", (await k.OkAsync("-n", ns, "create", "secret", "tls", "tls", "--cert", cert, "--key", key)).Stdout);
        Assert.Contains("secret/reg created", (await k.OkAsync("-n", ns, "create", "secret", "docker-registry", "reg", "--docker-server=r.example", "--docker-username=u", "--docker-password=p")).Stdout);
        Assert.Contains("job.batch/pi created", (await k.OkAsync("-n", ns, "create", "job", "pi", "--image=busybox", "--", "echo", "hi")).Stdout);
        Assert.Contains("cronjob.batch/tick created", (await k.OkAsync("-n", ns, "create", "cronjob", "tick", "--image=busybox", "--schedule=*/1 * * * *", "--", "date")).Stdout);
        Assert.Contains("job.batch/manual created", (await k.OkAsync("-n", ns, "create", "job", "manual", "--from=cronjob/tick")).Stdout);

        var deploy = await k.OkAsync("-n", ns, "get", "deploy", "-o", "wide");
        deploy.HasLine(@"^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$");
        Assert.Matches(@"^web\s+0/3\s+0\s+0\s+\S+\s+nginx\s+nginx\s+app=web\s*$", deploy.Row("web"));
        var secrets = await k.OkAsync("-n", ns, "get", "secrets");
        secrets.HasLine(@"^NAME\s+TYPE\s+DATA\s+AGE$");
        Assert.Matches(@"^pw\s+Opaque\s+1\s+", secrets.Row("pw"));
        Assert.Matches(@"^tls\s+kubernetes.io/tls\s+2\s+", secrets.Row("tls"));
        Assert.Matches(@"^reg\s+kubernetes.io/dockerconfigjson\s+1\s+", secrets.Row("reg"));
        Assert.Matches(@"^cfg\s+2\s+", (await k.OkAsync("-n", ns, "get", "cm")).Row("cfg"));
        var jobs = await k.OkAsync("-n", ns, "get", "jobs");
        Assert.Matches(@"^pi\s+(Running\s+)?0/1\s+", jobs.Row("pi"));
        Assert.Matches(@"^tick\s+\*/1 \* \* \* \*\s+(<none>\s+)?False\s+0\s+<none>\s+", (await k.OkAsync("-n", ns, "get", "cj")).Row("tick"));

        var described = await k.OkAsync("-n", ns, "describe", "secret", "pw");
        Assert.Contains("password:  7 bytes", described.Stdout);
        Assert.DoesNotContain("hunter2", described.Stdout);

        var all = await k.OkAsync("-n", ns, "get", "all");
        foreach (var name in new[] { "deployment.apps/web", "job.batch/pi", "cronjob.batch/tick" }) Assert.Contains(name, all.Stdout);
        Assert.DoesNotContain("secret/", all.Stdout);

        Assert.Contains("deployment.apps/web scaled", (await k.OkAsync("-n", ns, "scale", "deploy", "web", "--replicas=5")).Stdout);
        Assert.Equal("5", (await k.OkAsync("-n", ns, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")).Stdout.Trim());
        var defaults = await k.OkAsync("-n", ns, "get", "deploy", "web", "-o", "jsonpath={.spec.strategy.rollingUpdate.maxSurge} {.spec.revisionHistoryLimit} {.spec.progressDeadlineSeconds}");
        Assert.Equal("25% 10 600", defaults.Stdout.Trim());
    }

    [Theory]
    [MemberData(nameof(Binaries))]
    public async Task Apply_and_patch_follow_upstream_validation(string binary)
    {
        var ns = await fixture.NewNamespaceAsync("kinds-");
        using var k = fixture.Kubectl(binary);
        var mismatch = k.WriteFile("bad.yaml", Deployment("web", selector: "web", label: "api"));
        var refused = await k.FailsAsync("-n", ns, "apply", "-f", mismatch);
        Assert.Contains("`selector` does not match template `labels`", refused.Stderr);
        var good = k.WriteFile("good.yaml", Deployment("web", selector: "web", label: "web"));
        Assert.Contains("deployment.apps/web created", (await k.OkAsync("-n", ns, "apply", "-f", good)).Stdout);
        var moved = await k.FailsAsync("-n", ns, "apply", "-f", k.WriteFile("moved.yaml", Deployment("web", selector: "api", label: "api")));
        Assert.Contains("field is immutable", moved.Stderr);

        await k.OkAsync("-n", ns, "create", "configmap", "frozen", "--from-literal=a=1");
        await k.OkAsync("-n", ns, "patch", "configmap", "frozen", "-p", "{\"immutable\":true}");
        var frozen = await k.FailsAsync("-n", ns, "patch", "configmap", "frozen", "-p", "{\"data\":{\"a\":\"2\"}}");
        Assert.Contains("field is immutable when `immutable` is set", frozen.Stderr);
        var badKey = await k.FailsAsync("-n", ns, "create", "configmap", "bad", "--from-literal=no way=1");
        Assert.Contains("a valid config key must consist of alphanumeric characters", badKey.Stderr);
    }

    [Fact]
    public async Task The_csharp_client_scales_a_deployment_and_selects_secrets_by_type()
    {
        var ns = await fixture.NewNamespaceAsync("kinds-");
        var c = fixture.Client;
        var labels = new Dictionary<string, string> { ["app"] = "web" };
        await c.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "nginx", Image = "nginx" }] } },
            },
        }, ns);
        var scale = await c.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        Assert.Equal(1, scale.Spec.Replicas);
        Assert.Equal("app=web", scale.Status.Selector);
        await c.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":4}}", V1Patch.PatchType.MergePatch), "web", ns);
        var deployment = await c.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(4, deployment.Spec.Replicas);
        Assert.Equal(2, deployment.Metadata.Generation);

        await c.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "plain" }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, ns);
        await c.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "basic" }, Type = "kubernetes.io/basic-auth",
            Data = new Dictionary<string, byte[]> { ["username"] = "u"u8.ToArray() },
        }, ns);
        var basic = await c.CoreV1.ListNamespacedSecretAsync(ns, fieldSelector: "type=kubernetes.io/basic-auth");
        Assert.Equal("basic", Assert.Single(basic.Items).Metadata.Name);
        var plain = await c.CoreV1.ReadNamespacedSecretAsync("plain", ns);
        Assert.Equal("Opaque", plain.Type);
        Assert.Null(plain.StringData);
        Assert.Equal("v"u8.ToArray(), plain.Data["k"]);
    }

    private static string Deployment(string name, string selector, string label) => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        spec:
          selector:
            matchLabels:
              app: {selector}
          template:
            metadata:
              labels:
                app: {label}
            spec:
              containers:
              - name: nginx
                image: nginx
        """;

    /// <summary>A throwaway certificate and key in PEM files for <c>kubectl create secret tls</c>.</summary>
    private static (string Cert, string Key) SelfSigned(Kubectl k)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (k.WriteFile("tls.crt", cert.ExportCertificatePem()), k.WriteFile("tls.key", rsa.ExportPkcs8PrivateKeyPem()));
    }
}
