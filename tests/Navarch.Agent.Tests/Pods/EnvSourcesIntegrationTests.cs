using k8s;
using k8s.Models;
using Navarch.Agent.Runtime;
using Navarch.Cri;
using Navarch.Testing;

namespace Navarch.Agent.Tests.Pods;

/// <summary>A pod whose env needs a missing Secret waits in CreateContainerConfigError and starts once it exists.</summary>
[Trait("Category", "Integration")]
public sealed class EnvSourcesIntegrationTests(AgentServerFixture fixture) : IClassFixture<AgentServerFixture>
{
    [Fact]
    public async Task A_missing_secret_holds_the_container_until_it_is_created()
    {
        var client = fixture.Client;
        await using var agent = TestAgent.Start(fixture.Server.Url, "env-node", new FakeRuntime());
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "env-cfg" }, Data = new Dictionary<string, string> { ["color"] = "blue" } }, "default");
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "env-1" },
            Spec = new V1PodSpec
            {
                NodeName = "env-node",
                Containers =
                [
                    new V1Container
                    {
                        Name = "c", Image = "nginx:1.25",
                        EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "env-cfg" } }],
                        Env = [new V1EnvVar { Name = "PW", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "env-secret", Key = "password" } } }],
                    },
                ],
            },
        }, "default");

        V1Pod? pod = null;
        await Poll.UntilAsync("pod env-1 waiting in CreateContainerConfigError", async () =>
        {
            pod = await client.CoreV1.ReadNamespacedPodAsync("env-1", "default");
            return pod.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "CreateContainerConfigError";
        }, lastSeen: () => KubernetesJson.Serialize(pod?.Status));
        Assert.Equal("secret \"env-secret\" not found", pod!.Status.ContainerStatuses[0].State.Waiting.Message);
        var events = await client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=env-1");
        Assert.Contains(events.Items, e => e.Reason == "Failed" && e.Message == "Error: secret \"env-secret\" not found");

        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "env-secret" }, StringData = new Dictionary<string, string> { ["password"] = "hunter2" } }, "default");
        await Poll.UntilAsync("pod env-1 Running once its secret exists", async () =>
        {
            pod = await client.CoreV1.ReadNamespacedPodAsync("env-1", "default");
            return pod.Status?.Phase == "Running";
        }, lastSeen: () => KubernetesJson.Serialize(pod?.Status));
    }
}
