using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Client;

namespace Navarch.Agent.Pods;

/// <summary>A read of an object a pod refers to failed for another reason than its absence (the message is the server's).</summary>
public sealed class ObjectReadException(string message) : Exception(message);

/// <summary>
/// The API objects a pod's environment and volumes refer to, each read by name (never listed): the agent reads only
/// what its own pods use, as upstream's Node authorizer lets a kubelet.
/// </summary>
public interface IReferencedObjects
{
    /// <summary>The ConfigMap, or null when it does not exist. Throws <see cref="ObjectReadException"/> when the read fails otherwise.</summary>
    Task<V1ConfigMap?> ConfigMapAsync(string @namespace, string name, CancellationToken ct);

    /// <summary>The Secret, or null when it does not exist. Throws <see cref="ObjectReadException"/> when the read fails otherwise.</summary>
    Task<V1Secret?> SecretAsync(string @namespace, string name, CancellationToken ct);

    /// <summary>
    /// A token for the service account (<c>POST …/serviceaccounts/NAME/token</c>, upstream's TokenRequest); the answer
    /// carries the token and its expiry. Throws <see cref="ObjectReadException"/> when the server refuses.
    /// </summary>
    Task<Authenticationv1TokenRequest> RequestTokenAsync(string @namespace, string serviceAccount, Authenticationv1TokenRequest request, CancellationToken ct);
}

/// <summary><see cref="IReferencedObjects"/> through the official client.</summary>
public sealed class ApiReferencedObjects(IKubernetes client) : IReferencedObjects
{
    /// <inheritdoc/>
    public Task<V1ConfigMap?> ConfigMapAsync(string @namespace, string name, CancellationToken ct) =>
        OrNullAsync(async () => await client.CoreV1.ReadNamespacedConfigMapAsync(name, @namespace, cancellationToken: ct));

    /// <inheritdoc/>
    public Task<V1Secret?> SecretAsync(string @namespace, string name, CancellationToken ct) =>
        OrNullAsync(async () => await client.CoreV1.ReadNamespacedSecretAsync(name, @namespace, cancellationToken: ct));

    /// <inheritdoc/>
    public async Task<Authenticationv1TokenRequest> RequestTokenAsync(string @namespace, string serviceAccount, Authenticationv1TokenRequest request, CancellationToken ct)
    {
        try
        {
            return await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, serviceAccount, @namespace, cancellationToken: ct);
        }
        catch (HttpOperationException e)
        {
            throw new ObjectReadException(ApiErrors.Message(e));
        }
    }

    private static async Task<T?> OrNullAsync<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            throw new ObjectReadException(ApiErrors.Message(e));
        }
    }
}
