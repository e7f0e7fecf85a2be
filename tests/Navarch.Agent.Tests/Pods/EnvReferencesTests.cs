using k8s.Models;
using Navarch.Agent.Pods;

namespace Navarch.Agent.Tests.Pods;

/// <summary>env[].valueFrom and envFrom over ConfigMaps and Secrets, and resourceFieldRef, as upstream's kubelet.</summary>
[Trait("Category", "Unit")]
public class EnvReferencesTests
{
    private static readonly EnvSources Sources = EnvSources.Of(
        configMaps: new Dictionary<string, IDictionary<string, string>> { ["cfg"] = new Dictionary<string, string> { ["color"] = "blue", ["size"] = "L" } },
        secrets: new Dictionary<string, IDictionary<string, string>> { ["db"] = new Dictionary<string, string> { ["password"] = "hunter2" } });

    private static V1Pod Pod(V1Container container) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns" },
        Spec = new V1PodSpec { Containers = [container] },
    };

    private static IReadOnlyList<KeyValuePair<string, string>> Build(V1Container c) =>
        ContainerEnvironment.Build(Pod(c), c, [], "10.0.0.5", "192.168.0.201", Sources);

    [Fact]
    public void Key_references_read_configmaps_and_secrets()
    {
        var c = new V1Container
        {
            Name = "c",
            Env =
            [
                new V1EnvVar { Name = "COLOR", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cfg", Key = "color" } } },
                new V1EnvVar { Name = "PW", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "db", Key = "password" } } },
                new V1EnvVar { Name = "MAYBE", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "gone", Key = "x", Optional = true } } },
            ],
        };
        Assert.Equal([new("COLOR", "blue"), new("PW", "hunter2"), new KeyValuePair<string, string>("MAYBE", "")], Build(c));
    }

    [Theory]
    [InlineData("gone", "color", false, "configmap \"gone\" not found")]
    [InlineData("cfg", "weight", false, "couldn't find key weight in ConfigMap ns/cfg")]
    [InlineData("gone", "password", true, "secret \"gone\" not found")]
    [InlineData("db", "user", true, "couldn't find key user in Secret ns/db")]
    public void Missing_required_references_are_config_errors(string name, string key, bool secret, string message)
    {
        var from = secret
            ? new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = name, Key = key } }
            : new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = name, Key = key } };
        var c = new V1Container { Name = "c", Env = [new V1EnvVar { Name = "X", ValueFrom = from }] };
        Assert.Equal(message, Assert.Throws<ContainerConfigException>(() => Build(c)).Message);
    }

    [Fact]
    public void EnvFrom_adds_prefixed_keys_and_env_overrides_them()
    {
        var c = new V1Container
        {
            Name = "c",
            EnvFrom =
            [
                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "cfg" }, Prefix = "APP_" },
                new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "missing", Optional = true } },
            ],
            Env = [new V1EnvVar { Name = "APP_size", Value = "XL" }],
        };
        Assert.Equal([new("APP_color", "blue"), new KeyValuePair<string, string>("APP_size", "XL")], Build(c));
        c.EnvFrom[1].SecretRef.Optional = false;
        Assert.Equal("secret \"missing\" not found", Assert.Throws<ContainerConfigException>(() => Build(c)).Message);
    }

    [Fact]
    public void Resource_field_refs_divide_and_round_up()
    {
        var c = new V1Container
        {
            Name = "c",
            Resources = new V1ResourceRequirements
            {
                Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("64Mi") },
            },
        };
        var node = new NodeAllocatable(4, 8L << 30, 0);
        Assert.Equal("1", EnvReferences.ResourceValue(Pod(c), new V1ResourceFieldSelector { Resource = "limits.cpu" }, node));
        Assert.Equal("500", EnvReferences.ResourceValue(Pod(c), new V1ResourceFieldSelector { Resource = "limits.cpu", Divisor = new ResourceQuantity("1m") }, node));
        Assert.Equal("64", EnvReferences.ResourceValue(Pod(c), new V1ResourceFieldSelector { Resource = "limits.memory", Divisor = new ResourceQuantity("1Mi") }, node));
        Assert.Equal("4", EnvReferences.ResourceValue(Pod(new V1Container { Name = "c" }), new V1ResourceFieldSelector { Resource = "limits.cpu" }, node));
    }
}
