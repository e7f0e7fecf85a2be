using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.Admission;

[Trait("Category", "Unit")]
public sealed class ServiceAccountAdmissionTests
{
    private sealed class FakeAccounts(ServiceAccountInfo answer) : IServiceAccountSource
    {
        public List<string> Asked { get; } = [];

        public Task<ServiceAccountInfo> FindAsync(string ns, string name, CancellationToken ct)
        {
            Asked.Add($"{ns}/{name}");
            return Task.FromResult(answer);
        }
    }

    [Fact]
    public async Task A_pod_gets_the_default_account_and_the_token_volume_in_every_container()
    {
        var pod = Pod();
        pod.Spec.InitContainers = [new V1Container { Name = "init", Image = "x" }];
        var accounts = new FakeAccounts(new ServiceAccountInfo(ServiceAccountState.Found));
        await new ServiceAccountAdmission(accounts).AdmitAsync(Create(pod), default);

        Assert.Equal(["ns/default"], accounts.Asked);
        Assert.Equal(("default", "default"), (pod.Spec.ServiceAccountName, pod.Spec.ServiceAccount));
        var volume = Assert.Single(pod.Spec.Volumes);
        Assert.Matches("^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$", volume.Name);
        var sources = volume.Projected.Sources;
        Assert.Equal((3607L, "token"), (sources[0].ServiceAccountToken.ExpirationSeconds!.Value, sources[0].ServiceAccountToken.Path));
        Assert.Equal(("kube-root-ca.crt", "ca.crt", "ca.crt"), (sources[1].ConfigMap.Name, sources[1].ConfigMap.Items[0].Key, sources[1].ConfigMap.Items[0].Path));
        Assert.Equal(("metadata.namespace", "namespace"), (sources[2].DownwardAPI.Items[0].FieldRef.FieldPath, sources[2].DownwardAPI.Items[0].Path));
        foreach (var c in pod.Spec.InitContainers.Concat(pod.Spec.Containers))
        {
            var mount = Assert.Single(c.VolumeMounts);
            Assert.Equal((volume.Name, "/var/run/secrets/kubernetes.io/serviceaccount", true), (mount.Name, mount.MountPath, mount.ReadOnlyProperty == true));
        }
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(null, false)]
    public async Task Automount_off_on_the_pod_or_its_account_mounts_nothing(bool? onPod, bool? onAccount)
    {
        var pod = Pod();
        pod.Spec.AutomountServiceAccountToken = onPod;
        await new ServiceAccountAdmission(new FakeAccounts(new ServiceAccountInfo(ServiceAccountState.Found, onAccount))).AdmitAsync(Create(pod), default);
        Assert.Null(pod.Spec.Volumes);
        Assert.Equal("default", pod.Spec.ServiceAccountName);
    }

    [Fact]
    public async Task A_missing_account_is_refused_in_upstreams_words()
    {
        var pod = Pod();
        pod.Spec.ServiceAccountName = "robot";
        var e = await Assert.ThrowsAsync<ApiException>(() =>
            new ServiceAccountAdmission(new FakeAccounts(new ServiceAccountInfo(ServiceAccountState.Missing))).AdmitAsync(Create(pod), default));
        Assert.Equal(403, e.Code);
        Assert.Equal("pods \"web\" is forbidden: error looking up service account ns/robot: serviceaccount \"robot\" not found", e.Message);
    }

    [Fact]
    public async Task Without_the_ServiceAccount_kind_the_name_is_set_and_nothing_mounted()
    {
        var pod = Pod();
        await new ServiceAccountAdmission(new FakeAccounts(new ServiceAccountInfo(ServiceAccountState.KindNotServed))).AdmitAsync(Create(pod), default);
        Assert.Equal("default", pod.Spec.ServiceAccountName);
        Assert.Null(pod.Spec.Volumes);
    }

    [Fact]
    public async Task A_container_that_mounts_the_path_itself_keeps_its_mount()
    {
        var pod = Pod();
        pod.Spec.Volumes = [new V1Volume { Name = "own", EmptyDir = new V1EmptyDirVolumeSource() }];
        pod.Spec.Containers[0].VolumeMounts = [new V1VolumeMount { Name = "own", MountPath = ServiceAccountAdmission.MountPath }];
        await new ServiceAccountAdmission(new FakeAccounts(new ServiceAccountInfo(ServiceAccountState.Found))).AdmitAsync(Create(pod), default);
        Assert.Equal(2, pod.Spec.Volumes.Count);
        Assert.Equal("own", Assert.Single(pod.Spec.Containers[0].VolumeMounts).Name);
    }

    private static V1Pod Pod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns" },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "x" }] },
    };

    private static AdmissionAttributes Create(V1Pod pod) =>
        new(AdmissionOperation.Create, ResourceCatalog.Pods, "ns", pod.Metadata.Name, pod, null, new AdmissionRequest(UserInfo.InsecurePort, "", _ => { }), false);
}
