using System.Text;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Navarch.Agent.Pods;

namespace Navarch.Agent.Tests.Pods;

/// <summary>The files of configMap, secret, downwardAPI and projected volumes, from objects held by a fake API.</summary>
[Trait("Category", "Unit")]
public sealed class VolumeContentsTests
{
    private static readonly UnixFileMode Mode644 = (UnixFileMode)0b110_100_100;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeReferencedObjects _api;
    private readonly VolumeContents _contents;

    public VolumeContentsTests()
    {
        _api = new FakeReferencedObjects(_time);
        _contents = new VolumeContents(_api, new ServiceAccountTokens(_api, _time), new NodeAllocatable(4, 8L << 30, 0));
    }

    private static V1Pod Pod(params V1Volume[] volumes) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "web", NamespaceProperty = "shop", Uid = "uid-7",
            Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" },
            Annotations = new Dictionary<string, string> { ["note"] = "say \"hi\"\n" },
        },
        Spec = new V1PodSpec
        {
            ServiceAccountName = "builder",
            Volumes = volumes,
            Containers = [new V1Container { Name = "c", Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") } } }],
        },
    };

    private async Task<Dictionary<string, string>> TextOfAsync(V1Pod pod) =>
        (await _contents.BuildAsync(pod, pod.Spec.Volumes[0], CancellationToken.None)).ToDictionary(p => p.Key, p => Encoding.UTF8.GetString(p.Value.Data));

    [Fact]
    public async Task A_configMap_gives_every_key_or_only_its_items_with_their_modes()
    {
        _api.AddConfigMap("shop", "cfg", new() { ["color"] = "blue", ["size"] = "xl" });
        _api.ConfigMaps["shop/cfg"].BinaryData = new Dictionary<string, byte[]> { ["logo.bin"] = [1, 2, 3] };

        var all = await _contents.BuildAsync(Pod(new V1Volume { Name = "v", ConfigMap = new() { Name = "cfg" } }), new V1Volume { Name = "v", ConfigMap = new() { Name = "cfg" } }, CancellationToken.None);
        Assert.Equal(["color", "logo.bin", "size"], all.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([1, 2, 3], all["logo.bin"].Data);
        Assert.All(all.Values, f => Assert.Equal(Mode644, f.Mode));

        var items = new V1Volume
        {
            Name = "v",
            ConfigMap = new() { Name = "cfg", DefaultMode = 0b100_000_000, Items = [new V1KeyToPath { Key = "color", Path = "conf/color.txt" }, new V1KeyToPath { Key = "size", Path = "size", Mode = 0b111_000_000 }] },
        };
        var listed = await _contents.BuildAsync(Pod(items), items, CancellationToken.None);
        Assert.Equal(UnixFileMode.UserRead, listed["conf/color.txt"].Mode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, listed["size"].Mode);
        Assert.Equal(2, listed.Count);
        Assert.Equal(["configmap shop/cfg", "configmap shop/cfg"], _api.Reads);
    }

    [Fact]
    public async Task Missing_objects_and_keys_fail_with_upstreams_words_unless_optional()
    {
        _api.AddSecret("shop", "creds", new() { ["user"] = "ann" });
        async Task<string> FailureAsync(V1Volume v) => (await Assert.ThrowsAsync<VolumeException>(() => _contents.BuildAsync(Pod(v), v, CancellationToken.None))).Message;

        Assert.Equal("configmap \"nope\" not found", await FailureAsync(new V1Volume { Name = "v", ConfigMap = new() { Name = "nope" } }));
        Assert.Equal("secret \"nope\" not found", await FailureAsync(new V1Volume { Name = "v", Secret = new() { SecretName = "nope" } }));
        Assert.Equal("references non-existent secret key: pass",
            await FailureAsync(new V1Volume { Name = "v", Secret = new() { SecretName = "creds", Items = [new V1KeyToPath { Key = "pass", Path = "p" }] } }));
        _api.AddConfigMap("shop", "cfg", new() { ["a"] = "1" });
        Assert.Equal("configmap references non-existent config key: b",
            await FailureAsync(new V1Volume { Name = "v", ConfigMap = new() { Name = "cfg", Items = [new V1KeyToPath { Key = "b", Path = "b" }] } }));

        Assert.Empty(await TextOfAsync(Pod(new V1Volume { Name = "v", ConfigMap = new() { Name = "nope", Optional = true } })));
        Assert.Equal(new Dictionary<string, string> { ["u"] = "ann" }, await TextOfAsync(Pod(new V1Volume
        {
            Name = "v",
            Secret = new() { SecretName = "creds", Optional = true, Items = [new V1KeyToPath { Key = "user", Path = "u" }, new V1KeyToPath { Key = "pass", Path = "p" }] },
        })));
    }

    [Fact]
    public async Task The_downward_API_writes_fields_label_and_annotation_maps_and_resources()
    {
        var files = await TextOfAsync(Pod(new V1Volume
        {
            Name = "v",
            DownwardAPI = new()
            {
                Items =
                [
                    new V1DownwardAPIVolumeFile { Path = "name", FieldRef = new() { FieldPath = "metadata.name" } },
                    new V1DownwardAPIVolumeFile { Path = "labels", FieldRef = new() { FieldPath = "metadata.labels" } },
                    new V1DownwardAPIVolumeFile { Path = "annotations", FieldRef = new() { FieldPath = "metadata.annotations" } },
                    new V1DownwardAPIVolumeFile { Path = "tier", FieldRef = new() { FieldPath = "metadata.labels['tier']" } },
                    new V1DownwardAPIVolumeFile { Path = "mem", ResourceFieldRef = new() { ContainerName = "c", Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") } },
                    new V1DownwardAPIVolumeFile { Path = "cpu", ResourceFieldRef = new() { ContainerName = "c", Resource = "limits.cpu" } },
                ],
            },
        }));
        Assert.Equal("web", files["name"]);
        Assert.Equal("app=\"web\"\ntier=\"front\"", files["labels"]);
        Assert.Equal("note=\"say \\\"hi\\\"\\n\"", files["annotations"]);
        Assert.Equal("front", files["tier"]);
        Assert.Equal("64", files["mem"]);
        Assert.Equal("4", files["cpu"]);
    }

    /// <summary>The shape of upstream's <c>kube-api-access-*</c> volume: token, the cluster's CA, the namespace.</summary>
    [Fact]
    public async Task A_kube_api_access_volume_projects_a_bound_token_the_root_CA_and_the_namespace()
    {
        _api.AddConfigMap("shop", "kube-root-ca.crt", new() { ["ca.crt"] = "-----BEGIN CERTIFICATE-----\n" });
        var volume = new V1Volume
        {
            Name = "kube-api-access-x1z2q",
            Projected = new()
            {
                DefaultMode = 420,
                Sources =
                [
                    new V1VolumeProjection { ServiceAccountToken = new() { ExpirationSeconds = 3607, Path = "token" } },
                    new V1VolumeProjection { ConfigMap = new() { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                    new V1VolumeProjection { DownwardAPI = new() { Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new() { ApiVersion = "v1", FieldPath = "metadata.namespace" } }] } },
                ],
            },
        };
        var files = await _contents.BuildAsync(Pod(volume), volume, CancellationToken.None);

        Assert.Equal(["ca.crt", "namespace", "token"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("token-1", Encoding.UTF8.GetString(files["token"].Data));
        Assert.Equal("shop", Encoding.UTF8.GetString(files["namespace"].Data));
        Assert.All(files.Values, f => Assert.Equal(Mode644, f.Mode));
        var (ns, account, request) = Assert.Single(_api.TokenRequests);
        Assert.Equal(("shop", "builder"), (ns, account));
        Assert.Equal(3607, request.Spec.ExpirationSeconds);
        Assert.Empty(request.Spec.Audiences);
        Assert.Equal(("v1", "Pod", "web", "uid-7"), (request.Spec.BoundObjectRef.ApiVersion, request.Spec.BoundObjectRef.Kind, request.Spec.BoundObjectRef.Name, request.Spec.BoundObjectRef.Uid));
    }

    [Fact]
    public async Task A_projected_volume_reports_every_source_that_failed()
    {
        _api.RefuseTokens = "serviceaccounts \"builder\" not found";
        var volume = new V1Volume
        {
            Name = "v",
            Projected = new()
            {
                Sources =
                [
                    new V1VolumeProjection { ServiceAccountToken = new() { Path = "token", Audience = "vault" } },
                    new V1VolumeProjection { ConfigMap = new() { Name = "kube-root-ca.crt" } },
                    new V1VolumeProjection { Secret = new() { Name = "extra", Optional = true } },
                ],
            },
        };
        var e = await Assert.ThrowsAsync<VolumeException>(() => _contents.BuildAsync(Pod(volume), volume, CancellationToken.None));
        Assert.Equal("[failed to fetch token: serviceaccounts \"builder\" not found, configmap \"kube-root-ca.crt\" not found]", e.Message);
        Assert.Equal(["vault"], _api.TokenRequests.Single().Request.Spec.Audiences);
    }
}
