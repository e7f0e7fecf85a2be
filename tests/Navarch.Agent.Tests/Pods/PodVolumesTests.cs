using k8s.Models;
using Navarch.Agent.Pods;
using Navarch.Cri;

namespace Navarch.Agent.Tests.Pods;

/// <summary>emptyDir and hostPath volumes set up in a temporary root, and the mounts each container gets.</summary>
[Trait("Category", "Unit")]
public sealed class PodVolumesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("navarch-volumes-").FullName;
    private string Root => Path.Combine(_dir, "pod-volumes");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static V1Pod Pod(IList<V1Volume> volumes, params V1Container[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "default", Uid = "uid-1" },
        Spec = new V1PodSpec { Volumes = volumes, Containers = containers },
    };

    private static V1Container Container(string name, params V1VolumeMount[] mounts) => new() { Name = name, Image = "busybox", VolumeMounts = mounts };

    [Fact]
    public void An_emptyDir_is_one_world_writable_directory_shared_by_the_pods_containers_and_removed_with_it()
    {
        var volumes = new PodVolumes(Root);
        var writer = Container("writer", new V1VolumeMount { Name = "data", MountPath = "/data" });
        var reader = Container("reader", new V1VolumeMount { Name = "data", MountPath = "/in", ReadOnlyProperty = true, SubPath = "sub/dir" });
        var pod = Pod([new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }], writer, reader);

        var written = Assert.Single(volumes.MountsFor(pod, writer));
        var read = Assert.Single(volumes.MountsFor(pod, reader));

        var expected = Path.Combine(Root, "uid-1", "kubernetes.io~empty-dir", "data");
        Assert.Equal(new MountSpec("/data", expected), written);
        Assert.Equal(new MountSpec("/in", Path.Combine(expected, "sub/dir"), ReadOnly: true), read);
        Assert.True(Directory.Exists(read.HostPath));
        if (!OperatingSystem.IsWindows()) Assert.Equal((UnixFileMode)0b111_111_111, File.GetUnixFileMode(expected));

        volumes.Remove("uid-1");
        Assert.False(Directory.Exists(Path.Combine(Root, "uid-1")));
    }

    [Fact]
    public void Leftovers_of_pods_not_kept_are_removed()
    {
        var volumes = new PodVolumes(Root);
        var c = Container("c", new V1VolumeMount { Name = "d", MountPath = "/d" });
        foreach (var uid in new[] { "kept", "gone" })
        {
            var pod = Pod([new V1Volume { Name = "d", EmptyDir = new() }], c);
            pod.Metadata.Uid = uid;
            volumes.MountsFor(pod, c);
        }

        Assert.Equal(["gone"], volumes.RemoveAllBut(new HashSet<string> { "kept" }));
        Assert.True(Directory.Exists(Path.Combine(Root, "kept")));
        Assert.False(Directory.Exists(Path.Combine(Root, "gone")));
        Assert.Empty(new PodVolumes(Path.Combine(_dir, "never-made")).RemoveAllBut(new HashSet<string>()));
    }

    [Fact]
    public void A_memory_emptyDir_is_a_tmpfs_unmounted_on_removal()
    {
        var volumes = new PodVolumes(Root);
        var c = Container("c", new V1VolumeMount { Name = "shm", MountPath = "/dev/shm" });
        var pod = Pod([new V1Volume { Name = "shm", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity("1Mi") } }], c);

        var mount = Assert.Single(volumes.MountsFor(pod, c));

        var line = File.ReadLines("/proc/self/mounts").SingleOrDefault(l => l.Split(' ')[1] == mount.HostPath);
        Assert.NotNull(line);
        Assert.StartsWith("tmpfs ", line);
        Assert.Contains("size=1024k", line);
        volumes.Remove("uid-1");
        Assert.DoesNotContain(File.ReadLines("/proc/self/mounts"), l => l.Split(' ')[1] == mount.HostPath);
    }

    [Fact]
    public void HostPaths_are_created_for_the_OrCreate_types_and_checked_for_the_others()
    {
        var volumes = new PodVolumes(Root);
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        V1Pod HostPath(string path, string type) =>
            Pod([new V1Volume { Name = "h", HostPath = new V1HostPathVolumeSource { Path = path, Type = type } }], Container("c", new V1VolumeMount { Name = "h", MountPath = "/h" }));
        IReadOnlyList<MountSpec> Mount(V1Pod pod) => volumes.MountsFor(pod, pod.Spec.Containers[0]);

        var created = Path.Combine(_dir, "made", "here");
        Assert.Equal(created, Assert.Single(Mount(HostPath(created, "DirectoryOrCreate"))).HostPath);
        Assert.True(Directory.Exists(created));
        var createdFile = Path.Combine(_dir, "made", "file");
        Mount(HostPath(createdFile, "FileOrCreate"));
        Assert.True(File.Exists(createdFile));
        Mount(HostPath(file, "File"));
        Mount(HostPath(_dir, "Directory"));
        Mount(HostPath(Path.Combine(_dir, "missing"), ""));

        Assert.Equal($"hostPath type check failed: {file} is not a directory", Assert.Throws<VolumeException>(() => Mount(HostPath(file, "Directory"))).Message);
        Assert.Equal($"hostPath type check failed: {_dir} is not a file", Assert.Throws<VolumeException>(() => Mount(HostPath(_dir, "File"))).Message);
        Assert.Equal($"hostPath type check failed: {file} is not a socket file", Assert.Throws<VolumeException>(() => Mount(HostPath(file, "Socket"))).Message);
        Mount(HostPath("/dev/null", "CharDevice"));
        Assert.Contains("is not one of", Assert.Throws<VolumeException>(() => Mount(HostPath(file, "Pipe"))).Message);
    }

    [Fact]
    public void Volumes_this_node_cannot_serve_and_undeclared_ones_are_clear_errors()
    {
        var volumes = new PodVolumes(Root);
        var c = Container("c", new V1VolumeMount { Name = "cfg", MountPath = "/etc/cfg" });
        var nfs = Pod([new V1Volume { Name = "cfg", Nfs = new V1NFSVolumeSource { Server = "x", Path = "/" } }], c);
        var unserved = Assert.Throws<VolumeException>(() => volumes.MountsFor(nfs, c));
        Assert.Equal("volume \"cfg\": only emptyDir, hostPath, configMap, secret, downwardAPI and projected volumes are supported on this node", unserved.Message);
        Assert.Equal("cfg", unserved.Volume);
        var undeclared = Pod([], c);
        Assert.Contains("is not declared by the pod", Assert.Throws<VolumeException>(() => volumes.MountsFor(undeclared, c)).Message);
        var escaping = Container("e", new V1VolumeMount { Name = "d", MountPath = "/d", SubPath = "../up" });
        Assert.Contains("without \"..\"", Assert.Throws<VolumeException>(() => volumes.MountsFor(Pod([new V1Volume { Name = "d", EmptyDir = new() }], escaping), escaping)).Message);
    }

    [Fact]
    public void Volumes_made_of_API_objects_are_mounted_read_only_from_their_plugin_directory()
    {
        var volumes = new PodVolumes(Root);
        var c = Container("c", new V1VolumeMount { Name = "cfg", MountPath = "/etc/cfg" }, new V1VolumeMount { Name = "token", MountPath = "/var/run/secrets/x" });
        var pod = Pod([
            new V1Volume { Name = "cfg", ConfigMap = new V1ConfigMapVolumeSource { Name = "x" } },
            new V1Volume { Name = "token", Projected = new V1ProjectedVolumeSource { Sources = [] } },
        ], c);
        var mounts = volumes.MountsFor(pod, c);
        Assert.Equal(new MountSpec("/etc/cfg", Path.Combine(Root, "uid-1", "kubernetes.io~configmap", "cfg"), ReadOnly: true), mounts[0]);
        Assert.Equal(new MountSpec("/var/run/secrets/x", Path.Combine(Root, "uid-1", "kubernetes.io~projected", "token"), ReadOnly: true), mounts[1]);
    }

    [Fact]
    public void Without_a_root_the_mounts_are_computed_and_nothing_is_written()
    {
        var volumes = new PodVolumes("");
        var c = Container("c", new V1VolumeMount { Name = "d", MountPath = "/d" });
        var mount = Assert.Single(volumes.MountsFor(Pod([new V1Volume { Name = "d", EmptyDir = new() }], c), c));
        Assert.Equal("/d", mount.ContainerPath);
        Assert.False(Path.Exists(mount.HostPath));
        volumes.Remove("uid-1");
    }
}
