using k8s.Models;
using Navarch.Agent.Pods;

namespace Navarch.Agent.Tests.Pods;

[Trait("Category", "Unit")]
public sealed class EnvironmentTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("$(A)-$(B)", "a-b")]
    [InlineData("$(MISSING)", "$(MISSING)")]
    [InlineData("$$(A)", "$(A)")]
    [InlineData("cost $5", "cost $5")]
    [InlineData("$(A", "$(A")]
    [InlineData("end$", "end$")]
    public void Expansion(string input, string expected) =>
        Assert.Equal(expected, EnvExpansion.Expand(input, n => n switch { "A" => "a", "B" => "b", _ => null }));

    private static V1Service Service(string ns, string name, string clusterIp, params V1ServicePort[] ports) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new V1ServiceSpec { ClusterIP = clusterIp, Ports = ports },
    };

    [Fact]
    public void ServiceVariablesFollowUpstream()
    {
        var svc = Service("web", "redis-master", "10.0.0.11",
            new V1ServicePort { Port = 6379, Protocol = "TCP" },
            new V1ServicePort { Name = "metrics", Port = 9121, Protocol = "TCP" });
        var env = ServiceEnvironment.FromService(svc).ToList();
        Assert.Equal(
        [
            new("REDIS_MASTER_SERVICE_HOST", "10.0.0.11"),
            new("REDIS_MASTER_SERVICE_PORT", "6379"),
            new("REDIS_MASTER_SERVICE_PORT_METRICS", "9121"),
            new("REDIS_MASTER_PORT", "tcp://10.0.0.11:6379"),
            new("REDIS_MASTER_PORT_6379_TCP", "tcp://10.0.0.11:6379"),
            new("REDIS_MASTER_PORT_6379_TCP_PROTO", "tcp"),
            new("REDIS_MASTER_PORT_6379_TCP_PORT", "6379"),
            new("REDIS_MASTER_PORT_6379_TCP_ADDR", "10.0.0.11"),
            new("REDIS_MASTER_PORT_9121_TCP", "tcp://10.0.0.11:9121"),
            new("REDIS_MASTER_PORT_9121_TCP_PROTO", "tcp"),
            new("REDIS_MASTER_PORT_9121_TCP_PORT", "9121"),
            new("REDIS_MASTER_PORT_9121_TCP_ADDR", "10.0.0.11"),
        ], env);
    }

    [Theory]
    [InlineData(true, new[] { "KUBERNETES_SERVICE_HOST", "MINE_SERVICE_HOST" })]
    [InlineData(false, new[] { "KUBERNETES_SERVICE_HOST" })]
    public void ServicesOfThePodsNamespaceAndTheMasterService(bool links, string[] hosts)
    {
        var services = new[]
        {
            Service("default", "kubernetes", "10.96.0.1", new V1ServicePort { Port = 443 }),
            Service("web", "mine", "10.96.0.20", new V1ServicePort { Port = 80 }),
            Service("web", "headless", "None", new V1ServicePort { Port = 80 }),
            Service("other", "theirs", "10.96.0.30", new V1ServicePort { Port = 80 }),
        };
        var env = ServiceEnvironment.For("web", links, services);
        Assert.Equal(hosts, env.Where(e => e.Key.EndsWith("_SERVICE_HOST", StringComparison.Ordinal)).Select(e => e.Key).ToArray());
    }

    [Fact]
    public void DeclaredVariablesComeFirstExpandAndWinOverServiceVariables()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "web", Uid = "u1", Labels = new Dictionary<string, string> { ["app"] = "x" } },
            Spec = new V1PodSpec { NodeName = "n1", Containers = [] },
        };
        var container = new V1Container
        {
            Name = "c",
            Image = "busybox",
            Env =
            [
                new V1EnvVar { Name = "URL", Value = "http://$(MINE_SERVICE_HOST):$(PORT)" },
                new V1EnvVar { Name = "PORT", Value = "8080" },
                new V1EnvVar { Name = "MINE_SERVICE_PORT", Value = "override" },
                new V1EnvVar { Name = "ME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
                new V1EnvVar { Name = "APP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.labels['app']" } } },
                new V1EnvVar { Name = "IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } },
            ],
            Command = ["echo", "$(PORT)"],
        };
        var services = new KeyValuePair<string, string>[] { new("MINE_SERVICE_HOST", "10.96.0.20"), new("MINE_SERVICE_PORT", "80") };
        var env = ContainerEnvironment.Build(pod, container, services, "10.244.1.5", "192.168.0.201");
        Assert.Equal(
        [
            new("URL", "http://10.96.0.20:$(PORT)"),
            new("PORT", "8080"),
            new("MINE_SERVICE_PORT", "override"),
            new("ME", "p"),
            new("APP", "x"),
            new("IP", "10.244.1.5"),
            new("MINE_SERVICE_HOST", "10.96.0.20"),
        ], env);
        Assert.Equal(["echo", "8080"], ContainerEnvironment.ExpandAll(container.Command, env));
    }

    [Fact]
    public void AMissingConfigMapIsAConfigError()
    {
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns" }, Spec = new V1PodSpec() };
        var container = new V1Container
        {
            Name = "c",
            Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "cfg", Key = "k" } } }],
        };
        var e = Assert.Throws<ContainerConfigException>(() => ContainerEnvironment.Build(pod, container, [], "", ""));
        Assert.Equal("configmap \"cfg\" not found", e.Message);
    }
}
