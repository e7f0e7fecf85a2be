using k8s;
using k8s.Models;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.Security;

/// <summary>
/// The loops inside <c>navarch server</c> run with their own identities under RBAC, not as system:masters: take
/// <c>create pods</c> from the job controller's role and a Job gets no pod, with the server naming the job
/// controller's ServiceAccount in its refusal; give it back and the Job completes. (The workload, seed, endpoint,
/// node and DNS suites run on secure servers too and fail on any refusal of a loop: they are the proof that the
/// roles suffice.)
/// </summary>
[Trait("Category", "Integration")]
public sealed class LoopIdentityTests
{
    private const string JobRole = "system:controller:job-controller";

    [Fact]
    public async Task The_job_controller_acts_as_its_own_service_account_and_is_held_to_its_role()
    {
        await using var server = await ServerProcess.StartSecureAsync();
        using var admin = new Kubernetes(new KubernetesClientConfiguration { Host = server.Url });
        await using var nodes = await FakeNodes.StartAsync(admin, new FakeNodeOptions { Count = 1, PodOutcome = _ => FakePodOutcome.Succeeded });

        var role = await admin.RbacAuthorizationV1.ReadClusterRoleAsync(JobRole);
        var podsRule = role.Rules.Single(r => r.Resources.Contains("pods"));
        podsRule.Verbs = [.. podsRule.Verbs.Where(v => v != "create")];
        await admin.RbacAuthorizationV1.ReplaceClusterRoleAsync(role, JobRole);

        await admin.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "once" },
            Spec = new V1JobSpec
            {
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "c", Image = "fake/succeed" }] },
                },
            },
        }, "default");
        const string refusal = "forbidden: User \"system:serviceaccount:kube-system:job-controller\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\"";
        await Poll.UntilAsync("the server refusing the job controller's pod", () => server.Output.Contains(refusal),
            TimeSpan.FromSeconds(30), () => server.Output[^Math.Min(3000, server.Output.Length)..]);
        Assert.Empty((await admin.CoreV1.ListNamespacedPodAsync("default")).Items);

        role = await admin.RbacAuthorizationV1.ReadClusterRoleAsync(JobRole);
        role.Rules.Single(r => r.Resources.Contains("pods")).Verbs.Add("create");
        await admin.RbacAuthorizationV1.ReplaceClusterRoleAsync(role, JobRole);
        // A change of the Job queues it at once, rather than after the failed sync's backoff.
        await admin.BatchV1.PatchNamespacedJobAsync(new V1Patch("""{"metadata":{"labels":{"retry":"now"}}}""", V1Patch.PatchType.MergePatch), "once", "default");
        V1Job? job = null;
        await Poll.UntilAsync("the Job complete once its role allows creating pods", async () =>
        {
            job = await admin.BatchV1.ReadNamespacedJobAsync("once", "default");
            return job.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true;
        }, TimeSpan.FromSeconds(40), () => KubernetesJson.Serialize(job?.Status));
        Assert.All(server.ControlPlaneRefusals, line => Assert.Contains("job-controller", line));
    }
}
