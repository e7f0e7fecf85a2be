using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Navarch.Integration.Tests.Fixtures;
using Navarch.Testing;

namespace Navarch.Integration.Tests;

/// <summary>
/// The seed walkthrough with real kubectl (the 1.32 dispatcher and 1.27) against a real server: create, every
/// kind of get, describe, scale, apply, label and delete, checking what kubectl prints, not only its exit code.
/// </summary>
[Trait("Category", "Integration")]
public sealed class KubectlWalkthroughTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    public static TheoryData<string> Binaries => [Kubectl.Default, Kubectl.V127];

    [Theory]
    [MemberData(nameof(Binaries))]
    public async Task Create_get_describe_scale_apply_label_delete(string binary)
    {
        var ns = await fixture.NewNamespaceAsync("walk-");
        var node = $"node-{ns}";
        using var k = fixture.Kubectl(binary);
        var rcFile = k.WriteFile("rc.yaml", Seed.NginxRc);
        var clusterIpFile = k.WriteFile("svc-clusterip.yaml", Seed.ClusterIpService);
        var nodePortFile = k.WriteFile("svc-nodeport.yaml", Seed.NodePortService);
        var extrasFile = k.WriteFile("extras.yaml", Extras(ns, node));

        // create -f: the seed's RC and both Services, then a Pod, a Node and an Event (no controllers make them yet).
        var created = await k.OkAsync("-n", ns, "create", "-f", rcFile, "-f", clusterIpFile, "-f", nodePortFile);
        Assert.Contains("replicationcontroller/nginx-controller created", created.Stdout);
        Assert.Contains("service/nginx-service-clusterip created", created.Stdout);
        Assert.Contains("service/nginx-service-nodeport created", created.Stdout);
        var extras = await k.OkAsync("-n", ns, "create", "-f", extrasFile);
        Assert.Contains("pod/web-0 created", extras.Stdout);
        Assert.Contains($"node/{node} created", extras.Stdout);
        Assert.Contains("event/web-0.test created", extras.Stdout);
        var duplicate = await k.FailsAsync("-n", ns, "create", "-f", rcFile);
        Assert.Contains("Error from server (AlreadyExists)", duplicate.Stderr);
        Assert.Contains("replicationcontrollers \"nginx-controller\" already exists", duplicate.Stderr);

        // get svc: the kubernetes service takes the range's first IP; the NodePort service shows port:nodePort.
        var defaultSvc = await k.OkAsync("-n", "default", "get", "svc");
        Assert.Matches(@"^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE", defaultSvc.Stdout);
        Assert.Matches($@"^kubernetes\s+ClusterIP\s+{Regex.Escape(ServerFixture.KubernetesServiceIp)}\s+<none>\s+443/TCP\s+\S+", defaultSvc.Row("kubernetes"));
        var svcs = await k.OkAsync("-n", ns, "get", "svc", "-o", "wide");
        Assert.Matches(@"^nginx-service-clusterip\s+ClusterIP\s+10\.55\.\d+\.\d+\s+<none>\s+8001/TCP\s+\S+\s+name=nginx$", svcs.Row("nginx-service-clusterip").TrimEnd());
        Assert.Matches(@"^nginx-service-nodeport\s+NodePort\s+10\.55\.\d+\.\d+\s+<none>\s+8000:3\d{4}/TCP\s+\S+\s+name=nginx$", svcs.Row("nginx-service-nodeport").TrimEnd());
        var svcJson = JsonNode.Parse((await k.OkAsync("-n", ns, "get", "svc", "nginx-service-nodeport", "-o", "json")).Stdout)!;
        var clusterIp = (string)svcJson["spec"]!["clusterIP"]!;
        var nodePort = (int)svcJson["spec"]!["ports"]![0]!["nodePort"]!;
        Assert.InRange(nodePort, 30000, 32767);
        Assert.Contains($"8000:{nodePort}/TCP", svcs.Row("nginx-service-nodeport"));

        // get rc / pods / nodes / ns / ep / events, with -o wide|yaml, -l, --field-selector and -A.
        var rc = await k.OkAsync("-n", ns, "get", "rc");
        Assert.Matches(@"^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE", rc.Stdout);
        Assert.Matches(@"^nginx-controller\s+2\s+0\s+0\s+\S+$", rc.Row("nginx-controller").TrimEnd());
        var pods = await k.OkAsync("-n", ns, "get", "pods", "-o", "wide");
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES", pods.Stdout);
        Assert.Matches(@"^web-0\s+0/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>\s+<none>\s+<none>$", pods.Row("web-0").TrimEnd());
        var podsYaml = await k.OkAsync("-n", ns, "get", "pods", "-o", "yaml");
        Assert.Contains("kind: List", podsYaml.Stdout);
        Assert.Contains("  kind: Pod", podsYaml.Stdout);
        Assert.Contains($"namespace: {ns}", podsYaml.Stdout);
        var selected = await k.OkAsync("-n", ns, "get", "pods", "-l", "name=nginx", "-o", "name");
        Assert.Equal("pod/web-0", selected.Stdout.Trim());
        var none = await k.OkAsync("-n", ns, "get", "pods", "-l", "name=other");
        Assert.Contains($"No resources found in {ns} namespace.", none.Stderr);
        var allNs = await k.OkAsync("get", "pods", "-A", "--field-selector", "metadata.name=web-0,status.phase=Pending");
        Assert.Matches(@"^NAMESPACE\s+NAME\s+READY\s+STATUS", allNs.Stdout);
        Assert.Matches($@"^{ns}\s+web-0\s+0/1\s+Pending\s+0\s+", allNs.Row(ns));
        var notRunning = await k.OkAsync("-n", ns, "get", "pods", "--field-selector", "status.phase=Running");
        Assert.Contains("No resources found", notRunning.Stderr);
        var nodes = await k.OkAsync("get", "nodes");
        Assert.Matches(@"^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION", nodes.Stdout);
        Assert.Matches($@"^{node}\s+\S+\s+<none>\s+\S+", nodes.Row(node));
        var namespaces = await k.OkAsync("get", "ns");
        Assert.Matches($@"^{ns}\s+Active\s+\S+$", namespaces.Row(ns).TrimEnd());
        Assert.Matches(@"^default\s+Active\s+", namespaces.Row("default"));
        var endpoints = await k.OkAsync("-n", "default", "get", "ep");
        Assert.Matches($@"^kubernetes\s+127\.0\.0\.1:{fixture.Server.Port}\s+\S+", endpoints.Row("kubernetes"));
        var events = await k.OkAsync("-n", ns, "get", "events");
        Assert.Matches(@"^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE", events.Stdout);
        Assert.Matches(@"\s+Normal\s+Testing\s+pod/web-0\s+hello from the test$", events.Stdout.Split('\n')[1].TrimEnd());

        // describe rc|svc (Pods Status counts only pods the RC owns: web-0 has its labels, not an ownerReference).
        var describeRc = await k.OkAsync("-n", ns, "describe", "rc", "nginx-controller");
        describeRc.HasLine(@"^Name:\s+nginx-controller$");
        describeRc.HasLine(@"^Selector:\s+name=nginx$");
        describeRc.HasLine(@"^Replicas:\s+0 current / 2 desired$");
        describeRc.HasLine(@"^Pods Status:\s+0 Running / 0 Waiting / 0 Succeeded / 0 Failed$");
        describeRc.HasLine(@"^\s+Image:\s+nginx$");
        var describeSvc = await k.OkAsync("-n", ns, "describe", "svc", "nginx-service-nodeport");
        describeSvc.HasLine(@"^Type:\s+NodePort$");
        describeSvc.HasLine($@"^IP:\s+{Regex.Escape(clusterIp)}$");
        describeSvc.HasLine(@"^Port:\s+<unset>\s+8000/TCP$");
        describeSvc.HasLine(@"^TargetPort:\s+80/TCP$");
        describeSvc.HasLine($@"^NodePort:\s+<unset>\s+{nodePort}/TCP$");
        describeSvc.HasLine(@"^Session Affinity:\s+None$");

        // scale rc --replicas=3.
        var scaled = await k.OkAsync("-n", ns, "scale", "rc", "nginx-controller", "--replicas=3");
        Assert.Contains("replicationcontroller/nginx-controller scaled", scaled.Stdout);
        Assert.Matches(@"^nginx-controller\s+3\s+0\s+0\s+", (await k.OkAsync("-n", ns, "get", "rc")).Row("nginx-controller"));

        // apply -f: a change (configured), the same again (unchanged), another change (configured).
        var v2 = k.WriteFile("rc-v2.yaml", Seed.NginxRc.Replace("replicas: 2", "replicas: 3").Replace("image: nginx", "image: nginx:1.27"));
        var v3 = k.WriteFile("rc-v3.yaml", Seed.NginxRc.Replace("replicas: 2", "replicas: 3").Replace("image: nginx", "image: nginx:1.28"));
        Assert.Contains("replicationcontroller/nginx-controller configured", (await k.OkAsync("-n", ns, "apply", "-f", v2)).Stdout);
        Assert.Contains("replicationcontroller/nginx-controller unchanged", (await k.OkAsync("-n", ns, "apply", "-f", v2)).Stdout);
        Assert.Contains("replicationcontroller/nginx-controller configured", (await k.OkAsync("-n", ns, "apply", "-f", v3)).Stdout);
        var applied = await k.OkAsync("-n", ns, "get", "rc", "nginx-controller", "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[*].image} {.spec.template.spec.containers[*].name}");
        Assert.Equal("3 nginx:1.28 nginx", applied.Stdout.Trim());

        // label, then select by the new label.
        Assert.Contains("replicationcontroller/nginx-controller labeled", (await k.OkAsync("-n", ns, "label", "rc", "nginx-controller", "tier=web")).Stdout);
        Assert.Equal("replicationcontroller/nginx-controller", (await k.OkAsync("-n", ns, "get", "rc", "-l", "tier=web", "-o", "name")).Stdout.Trim());

        // delete -f: everything the files made is gone.
        var deleted = await k.OkAsync("-n", ns, "delete", "-f", rcFile, "-f", clusterIpFile, "-f", nodePortFile);
        Assert.Contains("replicationcontroller \"nginx-controller\" deleted", deleted.Stdout);
        Assert.Contains("service \"nginx-service-clusterip\" deleted", deleted.Stdout);
        Assert.Contains("service \"nginx-service-nodeport\" deleted", deleted.Stdout);
        var gone = await k.OkAsync("-n", ns, "get", "rc,svc");
        Assert.Contains($"No resources found in {ns} namespace.", gone.Stderr);
        await k.OkAsync("delete", "node", node);
    }

    [Theory]
    [MemberData(nameof(Binaries))]
    public async Task Get_pods_watch_prints_a_change(string binary)
    {
        var ns = await fixture.NewNamespaceAsync("watch-");
        using var k = fixture.Kubectl(binary);
        await k.OkAsync("-n", ns, "create", "-f", k.WriteFile("pod.yaml", PodYaml("watched")));

        using var stream = new StreamedOutput(k.StartStreaming("-n", ns, "get", "pods", "-w"));
        await Poll.UntilAsync("kubectl get -w prints the existing pod", () => stream.Lines.Any(l => l.StartsWith("watched ", StringComparison.Ordinal)),
            KubectlRun.Timeout, stream.Describe);

        // A new pod and a status change of the old one both show up as rows.
        await k.OkAsync("-n", ns, "create", "-f", k.WriteFile("pod2.yaml", PodYaml("second")));
        await k.OkAsync("-n", ns, "patch", "pod", "watched", "--subresource=status", "--type=merge", "-p", """{"status":{"phase":"Running"}}""");
        await Poll.UntilAsync("kubectl get -w prints the new pod and the Running phase", () =>
            stream.Lines.Any(l => Regex.IsMatch(l, @"^second\s+0/1\s+Pending\s")) && stream.Lines.Any(l => Regex.IsMatch(l, @"^watched\s+0/1\s+Running\s")),
            KubectlRun.Timeout, stream.Describe);
        Assert.Single(stream.Lines, l => l.StartsWith("NAME ", StringComparison.Ordinal));
        Assert.Single(stream.Lines, l => Regex.IsMatch(l, @"^watched\s+0/1\s+Pending\s"));
        Assert.False(stream.HasExited, $"kubectl get -w ended by itself:\n{stream.Describe()}");
    }

    private static string PodYaml(string name) => $"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {name}
          labels:
            name: nginx
        spec:
          containers:
            - name: nginx
              image: nginx
        """;

    private static string Extras(string ns, string node)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return $"""
            {PodYaml("web-0")}
            ---
            apiVersion: v1
            kind: Node
            metadata:
              name: {node}
              labels:
                kubernetes.io/hostname: {node}
            ---
            apiVersion: v1
            kind: Event
            metadata:
              name: web-0.test
            involvedObject:
              apiVersion: v1
              kind: Pod
              name: web-0
              namespace: {ns}
            reason: Testing
            message: hello from the test
            type: Normal
            source:
              component: integration-test
            firstTimestamp: "{now}"
            lastTimestamp: "{now}"
            count: 1
            """;
    }
}
