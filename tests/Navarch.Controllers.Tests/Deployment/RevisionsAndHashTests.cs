using k8s.Models;
using Navarch.Controllers.Deployment;
using static Navarch.Controllers.Tests.Deployment.Deployments;

namespace Navarch.Controllers.Tests.Deployment;

[Trait("Category", "Unit")]
public sealed class RevisionsAndHashTests
{
    [Fact]
    public void The_hash_is_stable_safe_and_changes_with_template_and_collisions()
    {
        var a = PodTemplateHash.Compute(Template("nginx"), null);
        Assert.Equal(a, PodTemplateHash.Compute(Template("nginx"), null));
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]{1,10}$", a);
        Assert.NotEqual(a, PodTemplateHash.Compute(Template("nginx:v2"), null));
        Assert.NotEqual(a, PodTemplateHash.Compute(Template("nginx"), 1));
    }

    [Fact]
    public void Templates_compare_equal_without_the_hash_label_and_whatever_the_key_order()
    {
        var withHash = Template("nginx");
        withHash.Metadata.Labels = new Dictionary<string, string> { [PodTemplateHash.Label] = "abc", ["tier"] = "x", ["app"] = "web" };
        var plain = Template("nginx");
        plain.Metadata.Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "x" };
        Assert.True(PodTemplateHash.EqualIgnoringHash(withHash, plain));
        Assert.False(PodTemplateHash.EqualIgnoringHash(withHash, Template("nginx")));
        Assert.Equal(PodTemplateHash.Compute(withHash, null), PodTemplateHash.Compute(plain, null));
    }

    [Fact]
    public void A_new_set_carries_hash_label_selector_revision_and_replica_annotations()
    {
        var d = NewDeployment(3, "1", "0", image: "nginx:v2");
        d.Metadata.Annotations = new Dictionary<string, string>
        {
            ["kubernetes.io/change-cause"] = "set image", [Revisions.LastApplied] = "{}", [Revisions.Revision] = "1",
        };
        var run = new Rollout(d, [Set("web-old", 3, 3)], Now);
        var rs = run.BuildNewSet(2);
        var hash = PodTemplateHash.Compute(d.Spec.Template, null);
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        Assert.Equal(hash, rs.Spec.Template.Metadata.Labels[PodTemplateHash.Label]);
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels[PodTemplateHash.Label]);
        Assert.Equal("web", rs.Spec.Selector.MatchLabels["app"]);
        Assert.Equal(1, rs.Spec.Replicas);
        Assert.Equal(("2", "3", "4", "set image"), (rs.Metadata.Annotations[Revisions.Revision], rs.Metadata.Annotations[Revisions.DesiredReplicas],
            rs.Metadata.Annotations[Revisions.MaxReplicas], rs.Metadata.Annotations["kubernetes.io/change-cause"]));
        Assert.False(rs.Metadata.Annotations.ContainsKey(Revisions.LastApplied));
        var owner = Assert.Single(rs.Metadata.OwnerReferences);
        Assert.Equal(("apps/v1", "Deployment", "d-uid", true), (owner.ApiVersion, owner.Kind, owner.Uid, owner.Controller));
        Assert.False(d.Spec.Template.Metadata.Labels.ContainsKey(PodTemplateHash.Label));
    }

    [Fact]
    public void The_new_set_is_the_oldest_with_the_deployments_template()
    {
        var d = NewDeployment(image: "nginx:v2");
        PlannedSet[] sets = [new(Set("v1", 3, 3)), new(Set("v2-late", 0, 0, image: "nginx:v2", ageMinutes: 1)), new(Set("v2", 0, 0, image: "nginx:v2", ageMinutes: 5))];
        Assert.Equal("v2", Rollout.FindNewSet(d, sets)?.Name);
        Assert.Null(Rollout.FindNewSet(NewDeployment(image: "nginx:v3"), sets));
    }

    [Fact]
    public void Rolling_back_to_an_old_set_raises_its_revision_and_remembers_the_old_one()
    {
        var annotations = new Dictionary<string, string> { [Revisions.Revision] = "1" };
        Assert.True(Revisions.SetNewSetAnnotations(NewDeployment(), annotations, 3, exists: true, maxSurge: 1));
        Assert.Equal(("3", "1"), (annotations[Revisions.Revision], annotations[Revisions.RevisionHistory]));
        Assert.True(Revisions.SetNewSetAnnotations(NewDeployment(), annotations, 5, exists: true, maxSurge: 1));
        Assert.Equal("1,3", annotations[Revisions.RevisionHistory]);
        Assert.False(Revisions.SetNewSetAnnotations(NewDeployment(), annotations, 5, exists: true, maxSurge: 1));
        Assert.Equal(5, Revisions.Max([Set("a", 0, 0, revision: 5), Set("b", 0, 0, revision: 2)]));
    }
}
