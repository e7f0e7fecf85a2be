using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Defaulting;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Selectors;
using Navarch.Api.Validation;

namespace Navarch.Api.Tests.Kinds;

/// <summary>apps/v1 and batch/v1 kinds: upstream's defaults, checks and table rows.</summary>
[Trait("Category", "Unit")]
public class WorkloadKindsTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static V1ObjectMeta Meta(string name) =>
        new() { Name = name, NamespaceProperty = "default", Uid = "u-1", CreationTimestamp = Now.UtcDateTime.AddMinutes(-5) };

    private static V1PodTemplateSpec Template(string app, string restartPolicy = "Always") => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { RestartPolicy = restartPolicy, Containers = [new V1Container { Name = "nginx", Image = "nginx" }] },
    };

    private static V1LabelSelector Select(string app) => new() { MatchLabels = new Dictionary<string, string> { ["app"] = app } };

    private static V1Deployment Deployment(string app = "web") =>
        new() { Metadata = Meta("web"), Spec = new V1DeploymentSpec { Selector = Select("web"), Template = Template(app) } };

    private static string[] Messages(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj)
    {
        ObjectDefaulter.Apply(rt, obj);
        return [.. ObjectValidator.ValidateCreate(rt, obj).Select(e => e.Message)];
    }

    private static string Row(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj) =>
        TablePrinter.Print(rt, [obj], Now, IncludeObject.None, withColumnDefinitions: true)["rows"]![0]!["cells"]!.ToJsonString(Plain);

    [Fact]
    public void Deployment_gets_upstream_defaults()
    {
        var d = Deployment();
        ObjectDefaulter.Apply(ResourceCatalog.Deployments, d);
        Assert.Equal(1, d.Spec.Replicas);
        Assert.Equal("RollingUpdate", d.Spec.Strategy.Type);
        Assert.Equal("25%", d.Spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal("25%", d.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal(10, d.Spec.RevisionHistoryLimit);
        Assert.Equal(600, d.Spec.ProgressDeadlineSeconds);
        Assert.Equal("ClusterFirst", d.Spec.Template.Spec.DnsPolicy);
        Assert.Empty(ObjectValidator.ValidateCreate(ResourceCatalog.Deployments, d));
    }

    [Fact]
    public void Deployment_selector_must_match_the_template_and_never_change()
    {
        Assert.Equal(["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not match template `labels`"],
            Messages(ResourceCatalog.Deployments, Deployment("api")));

        var old = Deployment();
        ObjectDefaulter.Apply(ResourceCatalog.Deployments, old);
        var changed = Deployment();
        changed.Spec.Selector.MatchLabels["tier"] = "front";
        changed.Spec.Template.Metadata.Labels["tier"] = "front";
        ObjectDefaulter.Apply(ResourceCatalog.Deployments, changed);
        var error = Assert.Single(ObjectValidator.ValidateUpdate(ResourceCatalog.Deployments, changed, old));
        Assert.Equal("spec.selector", error.Field);
        Assert.EndsWith("field is immutable", error.Message);
    }

    [Fact]
    public void Deployment_refuses_an_empty_selector_and_a_zero_rollout()
    {
        var d = Deployment();
        d.Spec.Selector = new V1LabelSelector();
        d.Spec.Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 0, MaxUnavailable = 0 } };
        var messages = Messages(ResourceCatalog.Deployments, d);
        Assert.Contains(messages, m => m.StartsWith("spec.selector: Invalid value: &v1.LabelSelector{", StringComparison.Ordinal) && m.EndsWith("empty selector is invalid for deployment", StringComparison.Ordinal));
        Assert.Contains("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"0\": may not be 0 when `maxSurge` is 0", messages);
    }

    [Fact]
    public void Deployment_row_shows_ready_of_desired_and_wide_columns()
    {
        var d = Deployment();
        ObjectDefaulter.Apply(ResourceCatalog.Deployments, d);
        d.Spec.Replicas = 3;
        d.Status = new V1DeploymentStatus { ReadyReplicas = 2, UpdatedReplicas = 3, AvailableReplicas = 2 };
        Assert.Equal("[\"web\",\"2/3\",3,2,\"5m\",\"nginx\",\"nginx\",\"app=web\"]", Row(ResourceCatalog.Deployments, d));
        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"],
            TablePrinter.Columns(ResourceCatalog.Deployments).Select(c => c.Name));
    }

    [Fact]
    public void ReplicaSet_and_DaemonSet_rows_follow_upstream_columns()
    {
        var rs = new V1ReplicaSet { Metadata = Meta("web-5d4f"), Spec = new V1ReplicaSetSpec { Selector = Select("web"), Template = Template("web") } };
        Assert.Empty(Messages(ResourceCatalog.ReplicaSets, rs));
        rs.Status = new V1ReplicaSetStatus { Replicas = 1, ReadyReplicas = 1 };
        Assert.Equal("[\"web-5d4f\",1,1,1,\"5m\",\"nginx\",\"nginx\",\"app=web\"]", Row(ResourceCatalog.ReplicaSets, rs));

        var ds = new V1DaemonSet { Metadata = Meta("agent"), Spec = new V1DaemonSetSpec { Selector = Select("web"), Template = Template("web") } };
        Assert.Empty(Messages(ResourceCatalog.DaemonSets, ds));
        Assert.Equal("RollingUpdate", ds.Spec.UpdateStrategy.Type);
        Assert.Equal("1", ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal(10, ds.Spec.RevisionHistoryLimit);
        ds.Status = new V1DaemonSetStatus { DesiredNumberScheduled = 3, CurrentNumberScheduled = 3, NumberReady = 2, UpdatedNumberScheduled = 3, NumberAvailable = 2 };
        Assert.Equal("[\"agent\",3,3,2,3,2,\"<none>\",\"5m\",\"nginx\",\"nginx\",\"app=web\"]", Row(ResourceCatalog.DaemonSets, ds));
    }

    [Fact]
    public void Job_defaults_generate_a_selector_from_its_uid()
    {
        var job = new V1Job { Metadata = Meta("pi"), Spec = new V1JobSpec { Template = Template("pi", "Never") } };
        Assert.Empty(Messages(ResourceCatalog.Jobs, job));
        Assert.Equal(1, job.Spec.Completions);
        Assert.Equal(1, job.Spec.Parallelism);
        Assert.Equal(6, job.Spec.BackoffLimit);
        Assert.Equal("NonIndexed", job.Spec.CompletionMode);
        Assert.False(job.Spec.Suspend);
        Assert.Equal("u-1", job.Spec.Selector.MatchLabels["batch.kubernetes.io/controller-uid"]);
        Assert.Equal("pi", job.Spec.Template.Metadata.Labels["batch.kubernetes.io/job-name"]);
        Assert.Equal("u-1", job.Spec.Template.Metadata.Labels["controller-uid"]);
    }

    [Fact]
    public void Job_refuses_restart_policy_always()
    {
        var job = new V1Job { Metadata = Meta("pi"), Spec = new V1JobSpec { Template = Template("pi") } };
        Assert.Equal(["spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""],
            Messages(ResourceCatalog.Jobs, job));
    }

    [Fact]
    public void Job_row_shows_status_completions_and_duration()
    {
        var job = new V1Job { Metadata = Meta("pi"), Spec = new V1JobSpec { Completions = 5, Parallelism = 2, Template = Template("pi", "Never") } };
        job.Status = new V1JobStatus
        {
            Succeeded = 5, StartTime = Now.UtcDateTime.AddSeconds(-100), CompletionTime = Now.UtcDateTime.AddSeconds(-58),
            Conditions = [new V1JobCondition { Type = "Complete", Status = "True" }],
        };
        Assert.StartsWith("[\"pi\",\"Complete\",\"5/5\",\"42s\",\"5m\"", Row(ResourceCatalog.Jobs, job));
        Assert.Equal("5", ObjectFields.GetValue(ResourceCatalog.Jobs, job, "status.successful"));
    }

    [Fact]
    public void CronJob_gets_defaults_and_a_checked_schedule()
    {
        V1CronJob Make(string schedule) => new()
        {
            Metadata = Meta("tick"),
            Spec = new V1CronJobSpec { Schedule = schedule, JobTemplate = new V1JobTemplateSpec { Spec = new V1JobSpec { Template = Template("tick", "OnFailure") } } },
        };
        var cj = Make("*/1 * * * *");
        Assert.Empty(Messages(ResourceCatalog.CronJobs, cj));
        Assert.Equal("Allow", cj.Spec.ConcurrencyPolicy);
        Assert.Equal(3, cj.Spec.SuccessfulJobsHistoryLimit);
        Assert.Equal(1, cj.Spec.FailedJobsHistoryLimit);
        Assert.False(cj.Spec.Suspend);
        Assert.Empty(Messages(ResourceCatalog.CronJobs, Make("@hourly")));
        Assert.Empty(Messages(ResourceCatalog.CronJobs, Make("0 9 * JAN-MAR MON-FRI")));
        Assert.Equal(["spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61"], Messages(ResourceCatalog.CronJobs, Make("61 * * * *")));
        Assert.Equal(["spec.schedule: Invalid value: \"hourly\": expected exactly 5 fields, found 1: [hourly]"], Messages(ResourceCatalog.CronJobs, Make("hourly")));
        Assert.Equal("[\"tick\",\"*/1 * * * *\",\"<none>\",\"False\",0,\"<none>\",\"5m\",\"nginx\",\"nginx\",\"<none>\"]", Row(ResourceCatalog.CronJobs, cj));
    }

    [Fact]
    public void Deployments_and_replicasets_declare_a_scale_subresource()
    {
        foreach (var rt in new[] { ResourceCatalog.Deployments, ResourceCatalog.ReplicaSets, ResourceCatalog.ReplicationControllers })
        {
            Assert.True(rt.HasSubresource("scale"));
            Assert.Equal("spec.replicas", rt.Definition.Scale!.SpecReplicasPath);
        }
        Assert.Null(ResourceCatalog.DaemonSets.Definition.Scale);
    }

    [Fact]
    public void Workloads_are_in_category_all_with_upstream_short_names()
    {
        Assert.Equal(["deploy"], ResourceCatalog.Deployments.ShortNames);
        Assert.Equal(["rs"], ResourceCatalog.ReplicaSets.ShortNames);
        Assert.Equal(["ds"], ResourceCatalog.DaemonSets.ShortNames);
        Assert.Equal(["cj"], ResourceCatalog.CronJobs.ShortNames);
        foreach (var rt in new[] { ResourceCatalog.Deployments, ResourceCatalog.ReplicaSets, ResourceCatalog.DaemonSets, ResourceCatalog.Jobs, ResourceCatalog.CronJobs })
            Assert.Contains("all", rt.Categories);
        Assert.Empty(ResourceCatalog.ConfigMaps.Categories);
    }
}
