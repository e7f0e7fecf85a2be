using k8s.Models;
using Navarch.Agent.Pods;

namespace Navarch.Agent.Tests.Pods;

[Trait("Category", "Unit")]
public sealed class PodChangeTests
{
    private static V1Pod Pod(string image = "nginx", string? phase = null, string rv = "1", Dictionary<string, string>? labels = null, DateTime? deleting = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", Uid = "u1", ResourceVersion = rv, Labels = labels, DeletionTimestamp = deleting },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image }], NodeName = "n1" },
        Status = phase is null ? null : new V1PodStatus { Phase = phase },
    };

    public static TheoryData<string, V1Pod, V1Pod, bool> Cases => new()
    {
        { "the agent's own status write", Pod(phase: "Pending"), Pod(phase: "Running", rv: "2"), true },
        { "nothing but the resourceVersion", Pod(), Pod(rv: "2"), true },
        { "a new image", Pod(), Pod(image: "nginx:1.27", rv: "2"), false },
        { "a label change", Pod(), Pod(labels: new() { ["a"] = "b" }, rv: "2"), false },
        { "deletion requested", Pod(), Pod(deleting: new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), rv: "2"), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Only_status_changes_need_no_sync(string change, V1Pod before, V1Pod after, bool statusOnly) =>
        Assert.True(PodChange.IsStatusOnly(before, after) == statusOnly, change);
}
