using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Navarch.Testing;

/// <summary>
/// Namespaces for tests against servers that run the API alone: pods need their namespace's <c>default</c>
/// ServiceAccount (the ServiceAccount admission plugin refuses them without it), which no controller makes there.
/// </summary>
public static class TestNamespaces
{
    /// <summary>Creates the namespace (a name, or a prefix with <paramref name="generate"/>) and its default account; returns its name.</summary>
    public static async Task<string> CreateAsync(IKubernetes client, string name, bool generate = false)
    {
        var meta = generate ? new V1ObjectMeta { GenerateName = name } : new V1ObjectMeta { Name = name };
        var ns = await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = meta });
        try
        {
            await client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "default" } }, ns.Metadata.Name);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // A controller manager made it first.
        }
        return ns.Metadata.Name;
    }
}
