using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Models;
using Navarch.Lab.Host;
using Navarch.Testing;
using Xunit.Abstractions;

namespace Navarch.Lab.Tests;

/// <summary>
/// Today's workloads on the lab's real containers, driven by the real kubectl 1.32 and 1.27, each check in a
/// namespace of its own. The CronJob is created first (its first Job comes at the next minute, the longest wait), the
/// rollout runs while a node curls its service with only the stuck rollout beside it (whose image never starts, so no
/// other pod start competes with it for the 2 cores), then the daemon sets, jobs, env and ConfigMap file checks run
/// together, then a 4th node joins and leaves the lab, then the CronJob's Job is awaited. Measured figures go to the
/// test output.
/// </summary>
public sealed partial class LabE2ETests(ITestOutputHelper output)
{
    private const string V1Page = "Welcome to nginx!", V2Page = "Welcome to nginx v2!";

    private async Task WorkloadsRunOnRealContainersAsync(string server, Kubernetes client, LabState state)
    {
        using var k = new Kubectl(server);
        using var k127 = new Kubectl(server, Kubectl.V127);
        var cronCreated = Stopwatch.StartNew();
        await OkAsync(k, "create", "namespace", "cron");
        await OkAsync(k, "-n", "cron", "create", "cronjob", "tick", "--image=dnsutils", "--schedule=*/1 * * * *", "--", "sh", "-c", "echo tick");

        await Task.WhenAll(RollingUpdateAnswersEveryRequestAsync(k, k127, client, state), StuckRolloutExceedsItsDeadlineAsync(k, k127));
        await Task.WhenAll(DaemonSetsHonourTaintsAsync(k127, client, state), JobsFinishAsync(k, k127, client), ConfigMapAndSecretReachEnvAsync(k, k127),
            ConfigMapFileFollowsAnEditAsync(server, k127));
        await DaemonSetsReachANodeThatJoinsAsync(client, state);

        IList<V1Job> jobs = [];
        await Poll.UntilAsync("the CronJob */1 * * * * created a Job within 70 s", async () =>
        {
            jobs = (await client.BatchV1.ListNamespacedJobAsync("cron")).Items;
            return jobs.Any(j => j.Metadata.OwnerReferences?.Any(o => o.Kind == "CronJob" && o.Name == "tick") == true);
        }, TimeSpan.FromSeconds(70) - cronCreated.Elapsed, () => $"{jobs.Count} jobs");
        var cronJob = await client.BatchV1.ReadNamespacedCronJobAsync("tick", "cron");
        var first = jobs.Min(j => j.Metadata.CreationTimestamp)!.Value;
        Assert.InRange(first - cronJob.Metadata.CreationTimestamp!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(70));
    }

    /// <summary>
    /// 3 nginx replicas behind a ClusterIP service, <c>set image</c> to nginx:v2 while another node curls the cluster IP
    /// without pause: the rollout completes, no request fails, the page turns to v2; history has 2 revisions, undo brings
    /// the first page back.
    /// </summary>
    private async Task RollingUpdateAnswersEveryRequestAsync(Kubectl k, Kubectl k127, Kubernetes client, LabState state)
    {
        const string ns = "rollout";
        await OkAsync(k, "create", "namespace", ns);
        await OkAsync(k, "-n", ns, "create", "deployment", "web", "--image=nginx", "--replicas=3");
        await OkAsync(k, "-n", ns, "create", "service", "clusterip", "web", "--tcp=80:80");
        await OkAsync(k, ["-n", ns, "rollout", "status", "deployment/web", "--timeout=60s"], TimeSpan.FromSeconds(70));
        var clusterIp = (await client.CoreV1.ReadNamespacedServiceAsync("web", ns)).Spec.ClusterIP;
        var node = new NetworkNamespace(state.Nodes.Last(n => n.RunsAgent).Namespace);
        await PageAsync(node.Path, clusterIp, "the web service before the rollout");

        using var stopCurling = new CancellationTokenSource();
        var curling = CurlUntilStoppedAsync(node.Path, clusterIp, stopCurling.Token);
        var rollout = Stopwatch.StartNew();
        await OkAsync(k, "-n", ns, "set", "image", "deployment/web", "nginx=nginx:v2");
        var status = await OkAsync(k, ["-n", ns, "rollout", "status", "deployment/web", "--timeout=90s"], TimeSpan.FromSeconds(100));
        var rolloutSeconds = rollout.Elapsed.TotalSeconds;
        Assert.Contains("successfully rolled out", status.Stdout);
        output.WriteLine($"lab rollout of 3: {rolloutSeconds:0.0} s from `set image` to `rollout status` exit 0");
        await PageAsync(node.Path, clusterIp, "the web service after the rollout", V2Page);
        stopCurling.Cancel();
        var answers = await curling;
        var failed = answers.Where(a => a is not (V1Page or V2Page)).ToList();
        Assert.True(failed.Count == 0 && answers.Contains(V2Page),
            $"{failed.Count} of {answers.Count} requests failed during the rollout ({rolloutSeconds:0.0} s): {string.Join(" | ", failed.Distinct().Take(5))}");

        var history = await OkAsync(k127, "-n", ns, "rollout", "history", "deployment/web");
        Assert.Matches(@"(?m)^1\s", history.Stdout);
        Assert.Matches(@"(?m)^2\s", history.Stdout);
        await OkAsync(k127, "-n", ns, "rollout", "undo", "deployment/web");
        await OkAsync(k127, ["-n", ns, "rollout", "status", "deployment/web", "--timeout=90s"], TimeSpan.FromSeconds(100));
        // Every pod serves the first page again: several requests in a row, spread over the endpoints.
        await Poll.UntilAsync("only the first page after the undo", async () =>
        {
            for (var i = 0; i < 6; i++)
                if (await CurlAsync(node.Path, clusterIp) != V1Page) return false;
            return true;
        }, TimeSpan.FromSeconds(30));
    }

    /// <summary>The new image cannot start (it exists nowhere): <c>rollout status</c> of both kubectl versions fails once the 8 s deadline is over.</summary>
    private static async Task StuckRolloutExceedsItsDeadlineAsync(Kubectl k, Kubectl k127)
    {
        const string ns = "stuck";
        await OkAsync(k, "create", "namespace", ns);
        await OkAsync(k, ["-n", ns, "apply", "-f", "-"], stdin: """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: stuck}
            spec:
              replicas: 1
              progressDeadlineSeconds: 8
              selector: {matchLabels: {app: stuck}}
              template:
                metadata: {labels: {app: stuck}}
                spec:
                  containers: [{name: web, image: "nginx:does-not-exist"}]
            """);
        var results = await Task.WhenAll(new[] { k, k127 }.Select(kubectl => kubectl.RunAsync(["-n", ns, "rollout", "status", "deployment/stuck", "--timeout=60s"], timeout: TimeSpan.FromSeconds(70))));
        Assert.All(results, r => Assert.True(r.ExitCode != 0 && r.Stderr.Contains("exceeded its progress deadline"), $"rollout status of a stuck deployment: {r}"));
    }

    /// <summary>
    /// With one node tainted NoSchedule, a daemon set that tolerates it runs on all 3 nodes and one that does not on
    /// the other 2; once the taint goes, the second one reaches the third node too.
    /// </summary>
    private static async Task DaemonSetsHonourTaintsAsync(Kubectl k127, Kubernetes client, LabState state)
    {
        const string ns = "daemons";
        var tainted = state.Nodes.Last(n => n.RunsAgent).Name;
        await OkAsync(k127, "create", "namespace", ns);
        await OkAsync(k127, "taint", "nodes", tainted, "dedicated=lab:NoSchedule");
        try
        {
            await OkAsync(k127, ["-n", ns, "apply", "-f", "-"], stdin: Daemon("plain", tolerates: false) + "---\n" + Daemon("tolerant", tolerates: true));
            await RunningOnAsync(client, ns, "tolerant", 3);
            var plain = await RunningOnAsync(client, ns, "plain", 2);
            Assert.DoesNotContain(tainted, plain);
        }
        finally
        {
            await OkAsync(k127, "taint", "nodes", tainted, "dedicated=lab:NoSchedule-");
        }
        Assert.Contains(tainted, await RunningOnAsync(client, ns, "plain", 3));
        await OkAsync(k127, ["-n", ns, "rollout", "status", "daemonset/plain", "--timeout=30s"], TimeSpan.FromSeconds(40));
    }

    private static string Daemon(string name, bool tolerates) => $$"""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: {{name}}
        spec:
          selector:
            matchLabels:
              app: {{name}}
          template:
            metadata:
              labels:
                app: {{name}}
            spec:
              terminationGracePeriodSeconds: 0
              {{(tolerates ? "tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]" : "")}}
              containers:
              - name: idle
                image: navarch/pause:3.9

        """;

    /// <summary>Waits until exactly <paramref name="count"/> pods of <paramref name="app"/> run, on distinct nodes; returns those nodes.</summary>
    private static async Task<List<string>> RunningOnAsync(Kubernetes client, string ns, string app, int count)
    {
        List<V1Pod> pods = [];
        await Poll.UntilAsync($"daemon set {app} running on {count} nodes", async () =>
        {
            pods = [.. (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"app={app}")).Items.Where(p => p.Metadata.DeletionTimestamp is null)];
            return pods.Count == count && pods.All(p => p.Status?.Phase == "Running");
        }, TimeSpan.FromSeconds(45), () => PodLines(pods));
        var nodes = pods.Select(p => p.Spec.NodeName).ToList();
        Assert.Equal(count, nodes.Distinct().Count());
        return nodes;
    }

    /// <summary>5 completions 2 at a time complete; a failing Job stops at backoffLimit 1 (2 failed pods) with Failed; an Indexed Job's pods print their JOB_COMPLETION_INDEX.</summary>
    private static async Task JobsFinishAsync(Kubectl k, Kubectl k127, Kubernetes client)
    {
        const string ns = "jobs";
        await OkAsync(k, "create", "namespace", ns);
        await OkAsync(k, ["-n", ns, "apply", "-f", "-"], stdin:
            Job("five", "completions: 5\n  parallelism: 2", "echo done") + "---\n"
            + Job("fails", "backoffLimit: 1", "exit 1") + "---\n"
            + Job("indexed", "completions: 3\n  parallelism: 3\n  completionMode: Indexed", "echo index=$JOB_COMPLETION_INDEX"));
        await Task.WhenAll(
            OkAsync(k, ["-n", ns, "wait", "--for=condition=complete", "job/five", "job/indexed", "--timeout=90s"], TimeSpan.FromSeconds(100)),
            OkAsync(k127, ["-n", ns, "wait", "--for=condition=failed", "job/fails", "--timeout=90s"], TimeSpan.FromSeconds(100)));

        var five = await client.BatchV1.ReadNamespacedJobAsync("five", ns);
        Assert.Equal(5, five.Status.Succeeded);
        var fails = await client.BatchV1.ReadNamespacedJobAsync("fails", ns);
        Assert.Equal(("BackoffLimitExceeded", 2), (fails.Status.Conditions.Single(c => c is { Type: "Failed", Status: "True" }).Reason, fails.Status.Failed));
        Assert.Equal(2, (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=fails")).Items.Count);

        var indexed = (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=indexed")).Items;
        Assert.Equal(3, indexed.Count);
        foreach (var pod in indexed)
        {
            var index = pod.Metadata.Annotations["batch.kubernetes.io/job-completion-index"];
            Assert.Equal($"index={index}", (await OkAsync(k127, "-n", ns, "logs", pod.Metadata.Name)).Stdout.Trim());
        }
    }

    private static string Job(string name, string spec, string script) => $$"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {{name}}
        spec:
          {{spec}}
          template:
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 0
              containers:
              - name: work
                image: dnsutils
                command: [sh, -c, '{{script}}']

        """;

    /// <summary>A ConfigMap key, a Secret key and a whole ConfigMap (envFrom with a prefix) reach a pod's environment.</summary>
    private static async Task ConfigMapAndSecretReachEnvAsync(Kubectl k, Kubectl k127)
    {
        const string ns = "config";
        await OkAsync(k, "create", "namespace", ns);
        await OkAsync(k, "-n", ns, "create", "configmap", "settings", "--from-literal=greeting=hello", "--from-literal=colour=blue");
        await OkAsync(k127, "-n", ns, "create", "secret", "generic", "login", "--from-literal=password=hunter2");
        await OkAsync(k, ["-n", ns, "apply", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Pod
            metadata: {name: reader}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: reader
                image: dnsutils
                command: [sleep, "3600"]
                env:
                - {name: GREETING, valueFrom: {configMapKeyRef: {name: settings, key: greeting}}}
                - {name: PASSWORD, valueFrom: {secretKeyRef: {name: login, key: password}}}
                envFrom:
                - {prefix: CFG_, configMapRef: {name: settings}}
            """);
        await OkAsync(k, ["-n", ns, "wait", "--for=condition=ready", "pod/reader", "--timeout=45s"], TimeSpan.FromSeconds(55));
        var env = (await OkAsync(k127, "-n", ns, "exec", "reader", "--", "env")).Stdout.Split('\n', StringSplitOptions.TrimEntries);
        foreach (var line in new[] { "GREETING=hello", "PASSWORD=hunter2", "CFG_greeting=hello", "CFG_colour=blue" }) Assert.Contains(line, env);
    }

    /// <summary>
    /// A 4th machine joins the running lab (<c>navarch lab add-node</c>): both daemon sets of
    /// <see cref="DaemonSetsHonourTaintsAsync"/> put a pod on it. Then it leaves (<c>remove-node</c>): its namespace, its
    /// Node object and the pods bound to it are gone, and the daemon sets are back at 3.
    /// </summary>
    private async Task DaemonSetsReachANodeThatJoinsAsync(Kubernetes client, LabState state)
    {
        const string ns = "daemons", address = "192.168.0.204";
        var clock = Stopwatch.StartNew();
        var added = await NavarchAsync(["lab", "add-node", address, "--data-dir", state.DataDir], TimeSpan.FromSeconds(130));
        try
        {
            Assert.True(added.ExitCode == 0, $"navarch lab add-node:\n{added}");
            var joined = clock.Elapsed.TotalSeconds;
            Assert.Contains(address, await RunningOnAsync(client, ns, "plain", 4));
            Assert.Contains(address, await RunningOnAsync(client, ns, "tolerant", 4));
            output.WriteLine($"4th node: Ready {joined:0.0} s after add-node began, both daemon pods Running on it after {clock.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            var removed = await NavarchAsync(["lab", "remove-node", address, "--data-dir", state.DataDir], TimeSpan.FromSeconds(60));
            Assert.True(removed.ExitCode == 0, $"navarch lab remove-node:\n{removed}");
        }
        Assert.DoesNotContain(address, await RunningOnAsync(client, ns, "plain", 3));
        Assert.DoesNotContain(address, await RunningOnAsync(client, ns, "tolerant", 3));
        Assert.Empty((await client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={address}")).Items);
        Assert.DoesNotContain((await client.CoreV1.ListNodeAsync()).Items, n => n.Metadata.Name == address);
        Assert.False(new NetworkNamespace(LabLayout.AddedNode(state, IPAddress.Parse(address)).Namespace).Exists, "the 4th node's namespace outlived remove-node");
        Assert.DoesNotContain(LabState.Load(state.DataDir)!.Nodes, n => n.Name == address);
    }

    /// <summary>
    /// A ConfigMap as a pod's volume and env var: after <c>kubectl edit</c> (the editor a sed script, as a user might
    /// set KUBE_EDITOR) the file in the running pod changes within 90 s, read with <c>kubectl exec</c>; the env var keeps
    /// its old value (env is set once, at container start).
    /// </summary>
    private async Task ConfigMapFileFollowsAnEditAsync(string server, Kubectl k127)
    {
        const string ns = "configfile";
        using var k = new Kubectl(server);
        await OkAsync(k, "create", "namespace", ns);
        await OkAsync(k, "-n", ns, "create", "configmap", "palette", "--from-literal=colour=blue");
        await OkAsync(k, ["-n", ns, "apply", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Pod
            metadata: {name: painter}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: painter
                image: dnsutils
                command: [sleep, "3600"]
                env:
                - {name: COLOUR, valueFrom: {configMapKeyRef: {name: palette, key: colour}}}
                volumeMounts:
                - {name: palette, mountPath: /etc/palette}
              volumes:
              - {name: palette, configMap: {name: palette}}
            """);
        await OkAsync(k, ["-n", ns, "wait", "--for=condition=ready", "pod/painter", "--timeout=45s"], TimeSpan.FromSeconds(55));
        Assert.Equal("blue", (await OkAsync(k127, "-n", ns, "exec", "painter", "--", "cat", "/etc/palette/colour")).Stdout);

        k.ExtraEnvironment["KUBE_EDITOR"] = "sed -i s/blue/green/";
        var edited = await OkAsync(k, "-n", ns, "edit", "configmap", "palette");
        var clock = Stopwatch.StartNew();
        Assert.Contains("configmap/palette edited", edited.Stdout);
        var seen = "";
        await Poll.UntilAsync("the edited ConfigMap in the running pod's file within 90 s", async () =>
        {
            seen = (await OkAsync(k127, "-n", ns, "exec", "painter", "--", "cat", "/etc/palette/colour")).Stdout;
            return seen == "green";
        }, TimeSpan.FromSeconds(90), () => seen);
        output.WriteLine($"ConfigMap edit reached the pod's file {clock.Elapsed.TotalSeconds:0.0} s after kubectl edit returned");
        Assert.Equal("blue", (await OkAsync(k127, "-n", ns, "exec", "painter", "--", "sh", "-c", "echo $COLOUR")).Stdout.Trim());
    }

    /// <summary>Curls <paramref name="ip"/> from <paramref name="netns"/> one request after another until stopped (at most 5,000); returns each answer's page title or failure.</summary>
    private static async Task<List<string>> CurlUntilStoppedAsync(string netns, string ip, CancellationToken stop)
    {
        var answers = new List<string>();
        while (!stop.IsCancellationRequested && answers.Count < 5000) answers.Add(await CurlAsync(netns, ip));
        return answers;
    }

    /// <summary>One request: <see cref="V1Page"/>, <see cref="V2Page"/>, or what went wrong.</summary>
    private static async Task<string> CurlAsync(string netns, string ip)
    {
        var r = await HostCommand.TryRunAsync("nsenter", ["--net=" + netns, "curl", "-sS", "--max-time", "3", $"http://{ip}/"]);
        if (r.ExitCode != 0) return $"curl exit {r.ExitCode}: {r.Stderr.Trim()}";
        return r.Stdout.Contains(V2Page) ? V2Page : r.Stdout.Contains(V1Page) ? V1Page : $"unexpected page: {r.Stdout[..Math.Min(80, r.Stdout.Length)]}";
    }

    private static Task<KubectlResult> OkAsync(Kubectl kubectl, params string[] args) => OkAsync(kubectl, args, timeout: null);

    private static async Task<KubectlResult> OkAsync(Kubectl kubectl, string[] args, TimeSpan? timeout = null, string? stdin = null)
    {
        var r = await kubectl.RunAsync(args, stdin, timeout);
        Assert.True(r.ExitCode == 0, $"{Path.GetFileName(kubectl.Binary)} {string.Join(' ', args)}: {r}");
        return r;
    }

    private static string PodLines(IEnumerable<V1Pod> pods) => string.Join('\n', pods.Select(p =>
        $"{p.Metadata.Name} node={p.Spec.NodeName} phase={p.Status?.Phase} {string.Join(' ', p.Status?.ContainerStatuses?.Select(c => c.State?.Waiting?.Reason) ?? [])}"));
}
