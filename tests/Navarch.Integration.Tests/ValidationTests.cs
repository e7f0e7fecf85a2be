using k8s;
using k8s.Models;
using Navarch.Integration.Tests.Fixtures;

namespace Navarch.Integration.Tests;

/// <summary>
/// 422 Invalid through the official C# client: the Status names the object, and each cause names the field
/// at fault with upstream's reason and message.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ValidationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    /// <param name="Kind">The kind the Status reports.</param>
    /// <param name="Create">Creates the invalid object in the namespace given.</param>
    /// <param name="Field">The field the cause must name.</param>
    /// <param name="Reason">The cause's reason (FieldValueInvalid, FieldValueRequired, FieldValueDuplicate, ...).</param>
    /// <param name="Message">Text the cause's message must contain.</param>
    public sealed record Case(string Kind, Func<Kubernetes, string, Task> Create, string Field, string Reason, string Message);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["pod name not a DNS-1123 subdomain"] = new("Pod", (c, ns) => c.CoreV1.CreateNamespacedPodAsync(Objects.Pod("Bad_Name"), ns),
            "metadata.name", "FieldValueInvalid", "a lowercase RFC 1123 subdomain must consist of"),
        ["service name not a DNS-1035 label"] = new("Service", (c, ns) => c.CoreV1.CreateNamespacedServiceAsync(Objects.Service("1svc"), ns),
            "metadata.name", "FieldValueInvalid", "a DNS-1035 label must consist of"),
        ["name missing"] = new("Pod", (c, ns) => c.CoreV1.CreateNamespacedPodAsync(Objects.Pod(""), ns),
            "metadata.name", "FieldValueRequired", "name or generateName is required"),
        ["label key with a space"] = new("Pod", (c, ns) => c.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p", Objects.Labels("bad key=v")), ns),
            "metadata.labels", "FieldValueInvalid", "name part must consist of alphanumeric characters"),
        ["label value starting with a dash"] = new("Pod", (c, ns) => c.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p", Objects.Labels("k=-bad")), ns),
            "metadata.labels", "FieldValueInvalid", "a valid label must be an empty string or consist of alphanumeric characters"),
        ["container port out of range"] = new("Pod", (c, ns) => c.CoreV1.CreateNamespacedPodAsync(WithPort(Objects.Pod("p"), 70000), ns),
            "spec.containers[0].ports[0].containerPort", "FieldValueInvalid", "must be between 1 and 65535, inclusive"),
        ["service port zero"] = new("Service", (c, ns) => c.CoreV1.CreateNamespacedServiceAsync(WithServicePort(Objects.Service("s"), 0), ns),
            "spec.ports[0].port", "FieldValueInvalid", "must be between 1 and 65535, inclusive"),
        ["rc selector not matching template labels"] = new("ReplicationController", (c, ns) => c.CoreV1.CreateNamespacedReplicationControllerAsync(
                Objects.Rc("rc", Objects.Labels("app=a"), Objects.Labels("app=b")), ns),
            "spec.template.metadata.labels", "FieldValueInvalid", "`selector` does not match template `labels`"),
        ["duplicate container names"] = new("Pod", (c, ns) => c.CoreV1.CreateNamespacedPodAsync(WithSecondContainer(Objects.Pod("p"), "app"), ns),
            "spec.containers[1].name", "FieldValueDuplicate", "Duplicate value: \"app\""),
        ["container image missing"] = new("Pod", (c, ns) => c.CoreV1.CreateNamespacedPodAsync(WithImage(Objects.Pod("p"), null), ns),
            "spec.containers[0].image", "FieldValueRequired", "Required value"),
        ["no containers"] = new("Pod", (c, ns) => c.CoreV1.CreateNamespacedPodAsync(WithoutContainers(Objects.Pod("p")), ns),
            "spec.containers", "FieldValueRequired", "Required value"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Invalid_objects_are_422_with_a_cause_naming_the_field(string caseName)
    {
        var c = Cases[caseName];
        var ns = await fixture.NewNamespaceAsync("invalid-");
        var status = await ApiAssert.FailsAsync(422, () => c.Create(fixture.Client, ns));
        Assert.Equal("Invalid", status.Reason);
        Assert.Equal(c.Kind, status.Details.Kind);
        Assert.StartsWith($"{c.Kind} \"{status.Details.Name}\" is invalid: ", status.Message);
        var cause = Assert.Single(status.Details.Causes, x => x.Field == c.Field);
        Assert.Equal(c.Reason, cause.Reason);
        Assert.Contains(c.Message, cause.Message);
        Assert.Contains($"{c.Field}: ", status.Message);
    }

    private static V1Pod WithPort(V1Pod pod, int port)
    {
        pod.Spec.Containers[0].Ports = [new V1ContainerPort { ContainerPort = port }];
        return pod;
    }

    private static V1Service WithServicePort(V1Service svc, int port)
    {
        svc.Spec.Ports[0].Port = port;
        return svc;
    }

    private static V1Pod WithSecondContainer(V1Pod pod, string name)
    {
        pod.Spec.Containers.Add(new V1Container { Name = name, Image = "busybox" });
        return pod;
    }

    private static V1Pod WithImage(V1Pod pod, string? image)
    {
        pod.Spec.Containers[0].Image = image;
        return pod;
    }

    private static V1Pod WithoutContainers(V1Pod pod)
    {
        pod.Spec.Containers = [];
        return pod;
    }
}
