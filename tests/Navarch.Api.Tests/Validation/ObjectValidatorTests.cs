using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Tests.Validation;

[Trait("Category", "Unit")]
public class ObjectValidatorTests
{
    public static TheoryData<string, Func<IKubernetesObject<V1ObjectMeta>>, string[]> CreateCases => new()
    {
        { "valid pod", () => Objects.Pod(), [] },
        { "pod name upper case", () => With(Objects.Pod(), p => p.Metadata.Name = "Foo"),
            ["metadata.name: Invalid value: \"Foo\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"] },
        { "pod without name", () => With(Objects.Pod(), p => p.Metadata.Name = null), ["metadata.name: Required value: name or generateName is required"] },
        { "pod without namespace", () => With(Objects.Pod(), p => p.Metadata.NamespaceProperty = null), ["metadata.namespace: Required value"] },
        { "pod without containers", () => With(Objects.Pod(), p => p.Spec.Containers = []), ["spec.containers: Required value"] },
        { "container without name and image", () => With(Objects.Pod(), p => { p.Spec.Containers[0].Name = ""; p.Spec.Containers[0].Image = null; }),
            ["spec.containers[0].name: Required value", "spec.containers[0].image: Required value"] },
        { "duplicate container names", () => With(Objects.Pod(), p => p.Spec.Containers.Add(Objects.PodSpec().Containers[0])),
            ["spec.containers[1].name: Duplicate value: \"nginx\""] },
        { "port out of range", () => With(Objects.Pod(), p => p.Spec.Containers[0].Ports[0].ContainerPort = 70000),
            ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"] },
        { "bad protocol", () => With(Objects.Pod(), p => p.Spec.Containers[0].Ports[0].Protocol = "ICMP"),
            ["spec.containers[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\""] },
        { "bad restart policy", () => With(Objects.Pod(), p => p.Spec.RestartPolicy = "Sometimes"),
            ["spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""] },
        { "bad dns policy", () => With(Objects.Pod(), p => p.Spec.DnsPolicy = "Google"),
            ["spec.dnsPolicy: Unsupported value: \"Google\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""] },
        { "env name with =", () => With(Objects.Pod(), p => p.Spec.Containers[0].Env = [new V1EnvVar { Name = "A=B" }]),
            ["spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='"] },
        { "label value too long", () => With(Objects.Pod(), p => p.Metadata.Labels["app"] = new string('x', 64)),
            [$"metadata.labels: Invalid value: \"{new string('x', 64)}\": must be no more than 63 characters"] },
        { "annotations too large", () => With(Objects.Pod(), p => p.Metadata.Annotations = new Dictionary<string, string> { ["a"] = new string('x', 262144) }),
            ["metadata.annotations: Too long: must have at most 262144 bytes"] },
        { "volumes and mounts", () => With(Objects.Pod(), p =>
            {
                p.Spec.Volumes = [new V1Volume { Name = "data", EmptyDir = new() }, new V1Volume { Name = "host", HostPath = new() { Path = "/srv", Type = "Directory" } }];
                p.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = "/data", SubPath = "a/b" }, new V1VolumeMount { Name = "host", MountPath = "/srv" }];
            }), [] },
        { "mount of an undeclared volume", () => With(Objects.Pod(), p => p.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "nope", MountPath = "/x" }]),
            ["spec.containers[0].volumeMounts[0].name: Not found: \"nope\""] },
        { "bad volumes", () => With(Objects.Pod(), p =>
            {
                p.Spec.Volumes = [new V1Volume { Name = "a" }, new V1Volume { Name = "a", EmptyDir = new(), HostPath = new() { Path = "/x", Type = "Pipe" } }];
                p.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "a", MountPath = "/m", SubPath = "../up" }, new V1VolumeMount { Name = "a", MountPath = "/m" }];
            }),
            [
                "spec.volumes[0]: Required value: must specify a volume type",
                "spec.volumes[1].name: Duplicate value: \"a\"",
                "spec.volumes[1].emptyDir: Forbidden: may not specify more than 1 volume type",
                "spec.volumes[1].hostPath.type: Unsupported value: \"Pipe\": supported values: \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\"",
                "spec.containers[0].volumeMounts[0].subPath: Invalid value: \"../up\": must not contain '..'",
                "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/m\": must be unique",
            ] },
        { "configMap, secret, downwardAPI and projected volumes", () => With(Objects.Pod(), p => p.Spec.Volumes =
            [
                new V1Volume { Name = "cm", ConfigMap = new() { Name = "cfg", DefaultMode = 0b100_000_000, Items = [new V1KeyToPath { Key = "k", Path = "dir/k.conf", Mode = 0b110_000_000 }] } },
                new V1Volume { Name = "s", Secret = new() { SecretName = "creds", Optional = true } },
                new V1Volume { Name = "d", DownwardAPI = new() { Items = [new V1DownwardAPIVolumeFile { Path = "labels", FieldRef = new() { FieldPath = "metadata.labels" } },
                    new V1DownwardAPIVolumeFile { Path = "app", FieldRef = new() { FieldPath = "metadata.labels['app']" } },
                    new V1DownwardAPIVolumeFile { Path = "mem", ResourceFieldRef = new() { ContainerName = "nginx", Resource = "limits.memory" } }] } },
                new V1Volume { Name = "kube-api-access-x1z2q", Projected = new() { DefaultMode = 420, Sources =
                [
                    new V1VolumeProjection { ServiceAccountToken = new() { ExpirationSeconds = 3607, Path = "token" } },
                    new V1VolumeProjection { ConfigMap = new() { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                    new V1VolumeProjection { DownwardAPI = new() { Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new() { ApiVersion = "v1", FieldPath = "metadata.namespace" } }] } },
                ] } },
            ]), [] },
        { "files outside their volume, bad modes, missing names", () => With(Objects.Pod(), p => p.Spec.Volumes =
            [
                new V1Volume { Name = "cm", ConfigMap = new() { DefaultMode = 512, Items = [new V1KeyToPath { Key = "k", Path = "../../etc/passwd" }, new V1KeyToPath { Path = "/abs", Mode = -1 }] } },
                new V1Volume { Name = "s", Secret = new() { Items = [new V1KeyToPath { Key = "k", Path = "..hidden" }] } },
                new V1Volume { Name = "d", DownwardAPI = new() { Items = [new V1DownwardAPIVolumeFile { Path = "ip", FieldRef = new() { FieldPath = "status.podIP" } },
                    new V1DownwardAPIVolumeFile { Path = "mem", ResourceFieldRef = new() { Resource = "limits.memory" } }, new V1DownwardAPIVolumeFile { Path = "none" }] } },
                new V1Volume { Name = "p", Projected = new() { Sources =
                [
                    new V1VolumeProjection { ServiceAccountToken = new() { ExpirationSeconds = 60, Path = "token" } },
                    new V1VolumeProjection { Secret = new() { Name = "x", Items = [new V1KeyToPath { Key = "k", Path = "token" }] }, ConfigMap = new() { Name = "y" } },
                ] } },
            ]),
            [
                "spec.volumes[0].configMap.name: Required value",
                "spec.volumes[0].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
                "spec.volumes[0].configMap.items[0].path: Invalid value: \"../../etc/passwd\": must not contain '..'",
                "spec.volumes[0].configMap.items[1].key: Required value",
                "spec.volumes[0].configMap.items[1].path: Invalid value: \"/abs\": must be a relative path",
                "spec.volumes[0].configMap.items[1].mode: Invalid value: -1: must be a number between 0 and 0777 (octal), both inclusive",
                "spec.volumes[1].secret.secretName: Required value",
                "spec.volumes[1].secret.items[0].path: Invalid value: \"..hidden\": must not start with '..'",
                "spec.volumes[2].downwardAPI.items[0].fieldRef.fieldPath: Unsupported value: \"status.podIP\": supported values: \"metadata.annotations\", \"metadata.labels\", \"metadata.name\", \"metadata.namespace\", \"metadata.uid\"",
                "spec.volumes[2].downwardAPI.items[1].resourceFieldRef.containerName: Required value",
                "spec.volumes[2].downwardAPI.items[2]: Required value: one of fieldRef and resourceFieldRef is required",
                "spec.volumes[3].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes",
                "spec.volumes[3].projected.sources[1].secret.items[0].path: Invalid value: \"token\": conflicting duplicate paths",
                "spec.volumes[3].projected.sources[1]: Forbidden: may not specify more than 1 volume type per source",
            ] },
        { "valid rc", () => Objects.Rc(), [] },
        { "rc selector does not match", () => With(Objects.Rc(), r => r.Spec.Selector["app"] = "other"),
            ["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"] },
        { "rc negative replicas", () => With(Objects.Rc(), r => r.Spec.Replicas = -1),
            ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"] },
        { "rc without selector and template", () => With(Objects.Rc(), r => { r.Spec.Selector = null; r.Spec.Template = null; }),
            ["spec.selector: Required value", "spec.template: Required value"] },
        { "rc template restartPolicy Never", () => With(Objects.Rc(), r => r.Spec.Template.Spec.RestartPolicy = "Never"),
            ["spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""] },
        { "valid service", () => Objects.Service(), [] },
        { "service name must be DNS-1035", () => With(Objects.Service(), s => s.Metadata.Name = "1web"),
            ["metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"] },
        { "service without ports", () => With(Objects.Service(), s => s.Spec.Ports = []), ["spec.ports: Required value"] },
        { "headless service without ports", () => With(Objects.Service(), s => { s.Spec.Ports = []; s.Spec.ClusterIP = "None"; }), [] },
        { "two unnamed ports", () => With(Objects.Service(), s => s.Spec.Ports.Add(new V1ServicePort { Port = 81, Protocol = "TCP", TargetPort = 81 })),
            ["spec.ports[0].name: Required value", "spec.ports[1].name: Required value"] },
        { "bad target port name", () => With(Objects.Service(), s => s.Spec.Ports[0].TargetPort = "Http"),
            ["spec.ports[0].targetPort: Invalid value: \"Http\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"] },
        { "bad cluster IP", () => With(Objects.Service(), s => s.Spec.ClusterIP = "10.0.0"),
            ["spec.clusterIPs[0]: Invalid value: \"10.0.0\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"] },
        { "bad service type", () => With(Objects.Service(), s => s.Spec.Type = "Magic"),
            ["spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""] },
        { "nodePort on ClusterIP", () => With(Objects.Service(), s => s.Spec.Ports[0].NodePort = 30080),
            ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"] },
        { "namespace name with dots", () => new V1Namespace { Metadata = new V1ObjectMeta { Name = "a.b" } },
            ["metadata.name: Invalid value: \"a.b\": must not contain dots"] },
        { "namespace with namespace", () => new V1Namespace { Metadata = new V1ObjectMeta { Name = "a", NamespaceProperty = "x" } },
            ["metadata.namespace: Forbidden: not allowed on this type"] },
        { "endpoints loopback", () => new V1Endpoints
            {
                Metadata = new V1ObjectMeta { Name = "e", NamespaceProperty = "default" },
                Subsets = [new V1EndpointSubset { Addresses = [new V1EndpointAddress { Ip = "127.0.0.1" }], Ports = [new Corev1EndpointPort { Port = 80, Protocol = "TCP" }] }],
            },
            ["subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"] },
        { "event namespace mismatch", () => new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = "e.1", NamespaceProperty = "default" },
                InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "p", NamespaceProperty = "other" },
            },
            ["involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"] },
        { "lease duration 0", () => new V1Lease { Metadata = new V1ObjectMeta { Name = "l", NamespaceProperty = "kube-node-lease" }, Spec = new V1LeaseSpec { LeaseDurationSeconds = 0 } },
            ["spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"] },
        { "endpointslice bad address type", () => new V1EndpointSlice { Metadata = new V1ObjectMeta { Name = "s", NamespaceProperty = "default" }, AddressType = "IPv5" },
            ["addressType: Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""] },
        { "node bad pod cidr", () => new V1Node { Metadata = new V1ObjectMeta { Name = "n1" }, Spec = new V1NodeSpec { PodCIDRs = ["10.0.0.0/33"] } },
            ["spec.podCIDRs[0]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"] },
    };

    [Theory]
    [MemberData(nameof(CreateCases))]
    public void ValidateCreate_reports_upstream_messages(string name, Func<IKubernetesObject<V1ObjectMeta>> make, string[] expected)
    {
        var obj = make();
        var rt = ResourceCatalog.All.Single(r => r.ClrType == obj.GetType());
        var errors = ObjectValidator.ValidateCreate(rt, obj);
        Assert.True(expected.SequenceEqual(errors.Select(e => e.Message)), $"{name}: got [{string.Join(" | ", errors.Select(e => e.Message))}]");
    }

    [Fact]
    public void Pod_image_may_change_but_not_other_spec_fields()
    {
        var old = Objects.Pod();
        var changedImage = With(Objects.Pod(), p => p.Spec.Containers[0].Image = "nginx:1.26");
        Assert.Empty(ObjectValidator.ValidateUpdate(ResourceCatalog.Pods, changedImage, old));

        var changedPort = With(Objects.Pod(), p => p.Spec.Containers[0].Ports[0].ContainerPort = 81);
        var error = Assert.Single(ObjectValidator.ValidateUpdate(ResourceCatalog.Pods, changedPort, old));
        Assert.Equal("spec", error.Field);
        Assert.Equal(FieldErrorType.Forbidden, error.Type);
        Assert.StartsWith("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`", error.Message);
    }

    [Fact]
    public void Pod_tolerations_may_only_be_added()
    {
        var toleration = new V1Toleration { Key = "k", OperatorProperty = "Exists", Effect = "NoSchedule" };
        var old = Objects.Pod();
        var added = With(Objects.Pod(), p => p.Spec.Tolerations = [toleration]);
        Assert.Empty(ObjectValidator.ValidateUpdate(ResourceCatalog.Pods, added, old));
        Assert.Single(ObjectValidator.ValidateUpdate(ResourceCatalog.Pods, old, added));
    }

    [Fact]
    public void Rename_is_rejected()
    {
        var renamed = With(Objects.Pod(), p => p.Metadata.Name = "other");
        Assert.Contains(ObjectValidator.ValidateUpdate(ResourceCatalog.Pods, renamed, Objects.Pod()),
            e => e.Message == "metadata.name: Invalid value: \"other\": field is immutable");
    }

    [Fact]
    public void Service_cluster_ip_is_immutable()
    {
        var old = With(Objects.Service(), s => s.Spec.ClusterIP = "10.0.0.5");
        var changed = With(Objects.Service(), s => s.Spec.ClusterIP = "10.0.0.6");
        var error = Assert.Single(ObjectValidator.ValidateUpdate(ResourceCatalog.Services, changed, old));
        Assert.Equal("spec.clusterIPs[0]: Invalid value: []string{\"10.0.0.6\"}: may not change once set", error.Message);
    }

    [Fact]
    public void EndpointSlice_address_type_is_immutable()
    {
        static V1EndpointSlice Slice(string type) => new() { Metadata = new V1ObjectMeta { Name = "s", NamespaceProperty = "default" }, AddressType = type };
        var error = Assert.Single(ObjectValidator.ValidateUpdate(ResourceCatalog.EndpointSlices, Slice("IPv6"), Slice("IPv4")));
        Assert.Equal("addressType: Invalid value: \"IPv6\": field is immutable", error.Message);
    }

    private static T With<T>(T obj, Action<T> change)
    {
        change(obj);
        return obj;
    }
}
