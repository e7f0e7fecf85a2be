using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;

namespace Navarch.Api.Tests.Printing;

[Trait("Category", "Unit")]
public class TablePrinterTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Plain = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTime FiveMinutesAgo = Now.UtcDateTime.AddMinutes(-5);

    private static V1ObjectMeta Meta(string name, string? ns = "default") =>
        new() { Name = name, NamespaceProperty = ns, CreationTimestamp = FiveMinutesAgo, Labels = new Dictionary<string, string> { ["app"] = name } };

    private static V1Pod RunningPod() => new()
    {
        Metadata = Meta("web-abcde"),
        Spec = new V1PodSpec { NodeName = "n1", Containers = [new V1Container { Name = "nginx", Image = "nginx" }] },
        Status = new V1PodStatus
        {
            Phase = "Running",
            PodIPs = [new V1PodIP { Ip = "10.244.1.5" }],
            ContainerStatuses = [new V1ContainerStatus { Name = "nginx", Ready = true, RestartCount = 2, State = new V1ContainerState { Running = new V1ContainerStateRunning() },
                LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, FinishedAt = Now.UtcDateTime.AddSeconds(-45) } } }],
        },
    };

    public static TheoryData<string, Func<IKubernetesObject<V1ObjectMeta>>, string> Rows => new()
    {
        { "pods", RunningPod, "[\"web-abcde\",\"1/1\",\"Running\",\"2 (45s ago)\",\"5m\",\"10.244.1.5\",\"n1\",\"<none>\",\"<none>\"]" },
        { "pods", () => new V1Pod
            {
                Metadata = Meta("p"),
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "c" }] },
                Status = new V1PodStatus { Phase = "Pending", ContainerStatuses = [new V1ContainerStatus { Name = "c", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } }] },
            }, "[\"p\",\"0/1\",\"ContainerCreating\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\",\"<none>\"]" },
        { "replicationcontrollers", () => new V1ReplicationController
            {
                Metadata = Meta("web"),
                Spec = new V1ReplicationControllerSpec { Replicas = 3, Selector = new Dictionary<string, string> { ["app"] = "web" },
                    Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "a", Image = "nginx" }, new V1Container { Name = "b", Image = "busybox" }] } } },
                Status = new V1ReplicationControllerStatus { Replicas = 3, ReadyReplicas = 2 },
            }, "[\"web\",3,3,2,\"5m\",\"a,b\",\"nginx,busybox\",\"app=web\"]" },
        { "services", () => new V1Service
            {
                Metadata = Meta("web"),
                Spec = new V1ServiceSpec { Type = "NodePort", ClusterIP = "10.0.0.10", ClusterIPs = ["10.0.0.10"], Selector = new Dictionary<string, string> { ["app"] = "web" },
                    Ports = [new V1ServicePort { Port = 8000, NodePort = 31954, Protocol = "TCP" }, new V1ServicePort { Port = 53, Protocol = "UDP" }] },
            }, "[\"web\",\"NodePort\",\"10.0.0.10\",\"<none>\",\"8000:31954/TCP,53/UDP\",\"5m\",\"app=web\"]" },
        { "services", () => new V1Service { Metadata = Meta("lb"), Spec = new V1ServiceSpec { Type = "LoadBalancer", ClusterIP = "10.0.0.11", Ports = [new V1ServicePort { Port = 80, Protocol = "TCP" }] } },
            "[\"lb\",\"LoadBalancer\",\"10.0.0.11\",\"<pending>\",\"80/TCP\",\"5m\",\"<none>\"]" },
        { "endpoints", () => new V1Endpoints
            {
                Metadata = Meta("web"),
                Subsets = [new V1EndpointSubset
                {
                    Addresses = [new V1EndpointAddress { Ip = "10.0.0.1" }, new V1EndpointAddress { Ip = "10.0.0.2" }, new V1EndpointAddress { Ip = "10.0.0.3" }, new V1EndpointAddress { Ip = "10.0.0.4" }],
                    Ports = [new Corev1EndpointPort { Port = 80 }],
                }],
            }, "[\"web\",\"10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...\",\"5m\"]" },
        { "endpoints", () => new V1Endpoints { Metadata = Meta("empty") }, "[\"empty\",\"<none>\",\"5m\"]" },
        { "nodes", () => new V1Node
            {
                Metadata = new V1ObjectMeta { Name = "n1", CreationTimestamp = FiveMinutesAgo, Labels = new Dictionary<string, string> { ["node-role.kubernetes.io/control-plane"] = "" } },
                Spec = new V1NodeSpec { Unschedulable = true },
                Status = new V1NodeStatus
                {
                    Conditions = [new V1NodeCondition { Type = "Ready", Status = "True" }],
                    Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "192.168.0.201" }],
                    NodeInfo = new V1NodeSystemInfo { KubeletVersion = "v1.32.0", OsImage = "Debian", KernelVersion = "6.18", ContainerRuntimeVersion = "containerd://1.6.20" },
                },
            }, "[\"n1\",\"Ready,SchedulingDisabled\",\"control-plane\",\"5m\",\"v1.32.0\",\"192.168.0.201\",\"<none>\",\"Debian\",\"6.18\",\"containerd://1.6.20\"]" },
        { "nodes", () => new V1Node { Metadata = new V1ObjectMeta { Name = "n2", CreationTimestamp = FiveMinutesAgo } },
            "[\"n2\",\"Unknown\",\"<none>\",\"5m\",\"\",\"<none>\",\"<none>\",\"<unknown>\",\"<unknown>\",\"<unknown>\"]" },
        { "namespaces", () => new V1Namespace { Metadata = Meta("team", null), Status = new V1NamespaceStatus { Phase = "Active" } }, "[\"team\",\"Active\",\"5m\"]" },
        { "events", () => new Corev1Event
            {
                Metadata = Meta("web.17f"),
                InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web", FieldPath = "spec.containers{nginx}" },
                Type = "Normal", Reason = "Pulled", Message = " Pulled image \"nginx\" ",
                Source = new V1EventSource { Component = "kubelet", Host = "n1" },
                FirstTimestamp = Now.UtcDateTime.AddMinutes(-3), LastTimestamp = Now.UtcDateTime.AddSeconds(-30), Count = 4,
            }, "[\"30s\",\"Normal\",\"Pulled\",\"pod/web\",\"spec.containers{nginx}\",\"kubelet, n1\",\"Pulled image \\\"nginx\\\"\",\"3m\",4,\"web.17f\"]" },
        { "leases", () => new V1Lease { Metadata = Meta("n1"), Spec = new V1LeaseSpec { HolderIdentity = "n1" } }, "[\"n1\",\"n1\",\"5m\"]" },
        { "endpointslices", () => new V1EndpointSlice
            {
                Metadata = Meta("web-x"), AddressType = "IPv4",
                Ports = [new Discoveryv1EndpointPort { Port = 80 }],
                Endpoints = [new V1Endpoint { Addresses = ["10.0.0.1"] }, new V1Endpoint { Addresses = ["10.0.0.2"] }],
            }, "[\"web-x\",\"IPv4\",\"80\",\"10.0.0.1,10.0.0.2\",\"5m\"]" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Row_cells_match_upstream(string plural, Func<IKubernetesObject<V1ObjectMeta>> make, string cells)
    {
        var rt = ResourceCatalog.All.Single(r => r.Plural == plural);
        var table = TablePrinter.Print(rt, [make()], Now, IncludeObject.None, withColumnDefinitions: true);
        var row = table["rows"]!.AsArray().Single()!;
        Assert.Equal(cells, row["cells"]!.ToJsonString(Plain));
        Assert.Equal(table["columnDefinitions"]!.AsArray().Count, row["cells"]!.AsArray().Count);
        Assert.Null(row["object"]);
    }

    [Theory]
    [InlineData("Terminating", "Running", null)]
    [InlineData("Unknown", "Running", "NodeLost")]
    public void Deleted_pods_show_terminating_or_unknown(string expected, string phase, string? reason)
    {
        var pod = RunningPod();
        pod.Metadata.DeletionTimestamp = Now.UtcDateTime;
        pod.Status.Phase = phase;
        pod.Status.Reason = reason;
        Assert.Equal(expected, Cells(ResourceCatalog.Pods, pod)[2]);
    }

    [Fact]
    public void Init_containers_show_progress()
    {
        var pod = RunningPod();
        pod.Spec.InitContainers = [new V1Container { Name = "init1" }, new V1Container { Name = "init2" }];
        pod.Status.Phase = "Pending";
        pod.Status.InitContainerStatuses =
        [
            new V1ContainerStatus { Name = "init1", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0 } } },
            new V1ContainerStatus { Name = "init2", State = new V1ContainerState { Running = new V1ContainerStateRunning() } },
        ];
        Assert.Equal("Init:1/2", Cells(ResourceCatalog.Pods, pod)[2]);
    }

    [Fact]
    public void Completed_pod_row_has_completed_condition()
    {
        var pod = RunningPod();
        pod.Status.Phase = "Succeeded";
        pod.Status.ContainerStatuses[0].State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed" } };
        var row = TablePrinter.Print(ResourceCatalog.Pods, [pod], Now, IncludeObject.None, true)["rows"]![0]!;
        Assert.Equal("Completed", row["cells"]![2]!.GetValue<string>());
        Assert.Equal("{\"type\":\"Completed\",\"status\":\"True\",\"reason\":\"Succeeded\",\"message\":\"The pod has completed successfully.\"}",
            row["conditions"]![0]!.ToJsonString());
    }

    [Fact]
    public void Table_shape_and_column_definitions()
    {
        var table = TablePrinter.Print(ResourceCatalog.Pods, [], Now, IncludeObject.Metadata, withColumnDefinitions: true);
        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", table["apiVersion"]!.GetValue<string>());
        Assert.Equal("{}", table["metadata"]!.ToJsonString());
        Assert.Empty(table["rows"]!.AsArray());
        var columns = table["columnDefinitions"]!.AsArray();
        Assert.Equal(["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"],
            columns.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(1, columns[5]!["priority"]!.GetValue<int>());
        Assert.Equal("name", columns[0]!["format"]!.GetValue<string>());
        Assert.Null(TablePrinter.Print(ResourceCatalog.Pods, [], Now, IncludeObject.Metadata, withColumnDefinitions: false)["columnDefinitions"]);
    }

    [Fact]
    public void Include_object_modes()
    {
        var pod = RunningPod();
        var metadata = TablePrinter.Print(ResourceCatalog.Pods, [pod], Now, IncludeObject.Metadata, true)["rows"]![0]!["object"]!;
        Assert.Equal("PartialObjectMetadata", metadata["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", metadata["apiVersion"]!.GetValue<string>());
        Assert.Equal("web-abcde", metadata["metadata"]!["name"]!.GetValue<string>());

        var full = TablePrinter.Print(ResourceCatalog.Pods, [pod], Now, IncludeObject.Object, true)["rows"]![0]!["object"]!;
        Assert.Equal("Pod", full["kind"]!.GetValue<string>());
        Assert.Equal("v1", full["apiVersion"]!.GetValue<string>());
        Assert.Equal("n1", full["spec"]!["nodeName"]!.GetValue<string>());
    }

    private static List<string> Cells(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj) =>
        TablePrinter.Print(rt, [obj], Now, IncludeObject.None, true)["rows"]![0]!["cells"]!.AsArray()
            .Select(c => c!.ToJsonString(Plain).Trim('"')).ToList();
}
