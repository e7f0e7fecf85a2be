using Navarch.Images;

namespace Navarch.Agent.Tests.Images;

[Trait("Category", "Unit")]
public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("nginx", "docker.io/library/nginx:latest", "nginx:latest")]
    [InlineData("nginx:1.25", "docker.io/library/nginx:1.25", "nginx:1.25")]
    [InlineData("navarch/pause:3.9", "docker.io/navarch/pause:3.9", "navarch/pause:3.9")]
    [InlineData("docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9")]
    [InlineData("localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app:latest")]
    [InlineData("localhost/app:v1", "localhost/app:v1", "localhost/app:v1")]
    public void Normalises_like_containerd(string name, string full, string familiar)
    {
        var reference = ImageReference.Parse(name);
        Assert.Equal(full, reference.FullName);
        Assert.Equal(familiar, reference.FamiliarName);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Nginx", "lowercase")]
    [InlineData("nginx@sha256:abc", "digests")]
    [InlineData("nginx:", "NAME[:TAG]")]
    public void Rejects_bad_names(string name, string because)
    {
        var e = Assert.Throws<ArgumentException>(() => ImageReference.Parse(name));
        Assert.Contains(because, e.Message);
    }
}
