using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.Client;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>Admission over TLS with the real kubectl (1.32 and 1.27) and the official Python client: Pod Security, ServiceAccount, NodeRestriction.</summary>
[Trait("Category", "Integration")]
public sealed class AdmissionTests(SecureServerFixture fixture) : IClassFixture<SecureServerFixture>
{
    private const string Python = "/usr/bin/python3";

    private const string HostPathPod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: root}
        spec:
          volumes: [{name: root, hostPath: {path: /}}]
          containers: [{name: shell, image: busybox, volumeMounts: [{name: root, mountPath: /host}]}]
        """;

    [Theory]
    [InlineData(Kubectl.Default)]
    [InlineData(Kubectl.V127)]
    public async Task Enforce_baseline_refuses_a_hostPath_pod_and_warn_restricted_prints_kubectls_warnings(string binary)
    {
        var ns = await NamespaceAsync("psa");
        using var kubectl = new Kubectl(fixture.SecureUrl, binary);
        string[] k = ["--kubeconfig", fixture.Server.AdminKubeconfig, "-n", ns];

        // Labelling a namespace whose pods break the new level warns about them, as upstream does.
        await Ok(kubectl, [.. k, "create", "-f", "-"], HostPathPod);
        var labelled = await Ok(kubectl, [.. k, "label", "namespace", ns, "pod-security.kubernetes.io/enforce=baseline", "pod-security.kubernetes.io/warn=restricted"]);
        Assert.Contains($"Warning: existing pods in namespace \"{ns}\" violate the new PodSecurity enforce level \"baseline:latest\"", labelled.Stderr);
        Assert.Contains("Warning: root: hostPath volumes", labelled.Stderr);
        await Ok(kubectl, [.. k, "delete", "pod", "root", "--grace-period=0", "--force"]);

        var refused = await kubectl.RunAsync([.. k, "create", "-f", "-"], HostPathPod);
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Contains("Error from server (Forbidden): error when creating \"STDIN\": pods \"root\" is forbidden: violates PodSecurity \"baseline:latest\": hostPath volumes (volume \"root\")", refused.Stderr);

        var warned = await Ok(kubectl, [.. k, "run", "web", "--image=nginx", "--restart=Never"]);
        Assert.Contains("Warning: would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"web\" must set securityContext.allowPrivilegeEscalation=false), "
            + "unrestricted capabilities (container \"web\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"web\" must set securityContext.runAsNonRoot=true), "
            + "seccompProfile (pod or container \"web\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")", warned.Stderr);
        Assert.Contains("pod/web created", warned.Stdout);
    }

    [Theory]
    [InlineData(Kubectl.Default)]
    [InlineData(Kubectl.V127)]
    public async Task A_nodes_credential_cannot_write_another_node_or_its_pods(string binary)
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var (a, b) = ($"node-a-{suffix}", $"node-b-{suffix}");
        var ns = await NamespaceAsync("nodes");
        foreach (var name in new[] { a, b })
            await fixture.Admin.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name } });
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(BoundPod("on-a", a, "secret-a"), ns);
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(BoundPod("on-b", b, "secret-b"), ns);
        foreach (var secret in new[] { "secret-a", "secret-b" })
            await fixture.Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = secret }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, ns);

        using var kubectl = new Kubectl(fixture.SecureUrl, binary);
        string[] k = ["--kubeconfig", fixture.KubeconfigFor(kubectl, $"system:node:{a}", "system:nodes")];
        await Ok(kubectl, [.. k, "label", "node", a, "mine=yes"]);
        await Refused(kubectl, [.. k, "label", "node", b, "mine=yes"], $"nodes \"{b}\" is forbidden: node \"{a}\" is not allowed to modify node \"{b}\"");
        await Refused(kubectl, [.. k, "-n", ns, "delete", "pod", "on-b"], $"pods \"on-b\" is forbidden: node \"{a}\" can only delete pods with spec.nodeName set to itself");
        await Refused(kubectl, [.. k, "-n", ns, "label", "pod", "on-a", "x=y"],
            $"pods \"on-a\" is forbidden: User \"system:node:{a}\" cannot patch resource \"pods\" in API group \"\" in the namespace \"{ns}\"");
        await Ok(kubectl, [.. k, "-n", ns, "get", "secret", "secret-a"]);
        await Refused(kubectl, [.. k, "-n", ns, "get", "secret", "secret-b"],
            $"secrets \"secret-b\" is forbidden: User \"system:node:{a}\" cannot get resource \"secrets\" in API group \"\" in the namespace \"{ns}\": no relationship found between node '{a}' and this object");

        // Status writes, as the agent sends them (merge patches of the status subresource).
        using var node = ClientConfigurations.ForCertificate(fixture.SecureUrl, fixture.Ca.Certificate, fixture.CertificateFor($"system:node:{a}", "system:nodes")).Client();
        var status = new V1Patch("""{"status":{"conditions":[{"type":"Ready","status":"True"}]}}""", V1Patch.PatchType.MergePatch);
        await node.CoreV1.PatchNodeStatusAsync(status, a);
        await node.CoreV1.PatchNamespacedPodStatusAsync(status, "on-a", ns);
        var otherNode = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => node.CoreV1.PatchNodeStatusAsync(status, b));
        Assert.Equal(HttpStatusCode.Forbidden, otherNode.Response.StatusCode);
        var otherPod = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => node.CoreV1.PatchNamespacedPodStatusAsync(status, "on-b", ns));
        Assert.Equal(HttpStatusCode.Forbidden, otherPod.Response.StatusCode);
        Assert.Contains($"node \\\"{a}\\\" can only update pod status for pods with spec.nodeName set to itself", otherPod.Response.Content);

        // Its own lease in kube-node-lease, and no other.
        await node.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = a }, Spec = new V1LeaseSpec { HolderIdentity = a } }, "kube-node-lease");
        var otherLease = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            node.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = b } }, "kube-node-lease"));
        Assert.Equal(HttpStatusCode.Forbidden, otherLease.Response.StatusCode);
        Assert.Contains("can only access node lease with the same name as the requesting node", otherLease.Response.Content);
    }

    [Fact]
    public async Task The_ServiceAccount_mutation_shows_in_kubectl_and_in_the_Python_client()
    {
        var ns = await NamespaceAsync("sa");
        using var kubectl = new Kubectl(fixture.SecureUrl);
        string[] k = ["--kubeconfig", fixture.Server.AdminKubeconfig, "-n", ns];
        await Ok(kubectl, [.. k, "run", "web", "--image=nginx", "--restart=Never"]);
        var got = await Ok(kubectl, [.. k, "get", "pod", "web", "-o", "jsonpath={.spec.serviceAccountName} {.spec.volumes[*].name} {.spec.containers[0].volumeMounts[*].mountPath}"]);
        var parts = got.Stdout.Split(' ');
        var servesAccounts = ResourceCatalog.FindByKind("v1", "ServiceAccount") is not null;
        Assert.Equal("default", parts[0]);

        var python = await RunPythonAsync(ns);
        Assert.Equal("serviceAccountName=default", python[0]);
        if (servesAccounts)
        {
            // The token volume follows once the server serves ServiceAccounts (and so can tell whether automount is off).
            Assert.Matches("^kube-api-access-[a-z0-9]{5}$", parts[1]);
            Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount", parts[2]);
            Assert.Matches("^volumes=kube-api-access-[a-z0-9]{5}:token,ca.crt,namespace$", python[1]);
        }
        else
        {
            Assert.Equal(["default", "", ""], parts);
            Assert.Equal("volumes=", python[1]);
        }
    }

    /// <summary>Reads the pod with the official Python client over TLS with the admin kubeconfig; one line per fact.</summary>
    private async Task<string[]> RunPythonAsync(string ns)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing; scripts/install-deps installs python3-kubernetes");
        var dir = Directory.CreateTempSubdirectory("navarch-admission-py-").FullName;
        try
        {
            var script = Path.Combine(dir, "pod.py");
            await File.WriteAllTextAsync(script, """
                import sys
                from kubernetes import client, config
                config.load_kube_config(config_file=sys.argv[1])
                pod = client.CoreV1Api().read_namespaced_pod("web", sys.argv[2])
                print("serviceAccountName=" + str(pod.spec.service_account_name))
                paths = lambda v: ",".join(s.service_account_token.path if s.service_account_token else (s.config_map.items[0].path if s.config_map else s.downward_api.items[0].path) for s in v.projected.sources)
                print("volumes=" + ";".join(v.name + ":" + paths(v) for v in (pod.spec.volumes or []) if v.projected))
                """);
            var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { script, fixture.Server.AdminKubeconfig, ns }) psi.ArgumentList.Add(arg);
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the Python client did not read the pod in 30 s: {await stdout}{await stderr}");
            }
            var output = await stdout;
            Assert.True(process.ExitCode == 0, $"python exited {process.ExitCode}:\n{output}\n{await stderr}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private async Task WaitForDefaultAccountAsync(string ns)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var list = await fixture.Admin.CoreV1.ListNamespacedServiceAccountAsync(ns, cancellationToken: deadline.Token);
            if (list.Items.Any(a => a.Metadata.Name == "default")) return;
            await Task.Delay(50, deadline.Token); // polled: the account is made by a controller, with no event to await here
        }
    }

    /// <summary>A fresh namespace, with its default ServiceAccount once the server serves the kind (pods are refused before it exists).</summary>
    private async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await fixture.Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        if (ResourceCatalog.FindByKind("v1", "ServiceAccount") is not null) await WaitForDefaultAccountAsync(name);
        return name;
    }

    private static V1Pod BoundPod(string name, string node, string secret) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PodSpec
        {
            NodeName = node,
            Containers = [new V1Container { Name = "c", Image = "nginx", Env = [new V1EnvVar { Name = "S", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = "k" } } }] }],
        },
    };

    private static async Task<KubectlResult> Ok(Kubectl kubectl, string[] args, string? stdin = null)
    {
        var r = await kubectl.RunAsync(args, stdin);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {r}");
        return r;
    }

    private static async Task Refused(Kubectl kubectl, string[] args, string message)
    {
        var r = await kubectl.RunAsync(args);
        Assert.True(r.ExitCode != 0, $"kubectl {string.Join(' ', args)} should have failed: {r}");
        Assert.True(r.Stderr.Contains("Error from server (Forbidden)") && r.Stderr.Contains(message), $"kubectl {string.Join(' ', args)}: expected \"{message}\": {r}");
    }
}
