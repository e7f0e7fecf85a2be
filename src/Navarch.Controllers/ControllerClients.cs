using System.Collections.Concurrent;
using k8s;

namespace Navarch.Controllers;

/// <summary>
/// The API clients of the controller manager, as upstream's <c>--use-service-account-credentials</c> splits them: the
/// manager's own (shared informers, leader election, the token controller: upstream's root client builder) and one per
/// controller, named after the controller's ServiceAccount in kube-system, bound to <c>system:controller:NAME</c>.
/// </summary>
public sealed class ControllerClients
{
    private readonly Func<string, IKubernetes> _create;
    private readonly ConcurrentDictionary<string, IKubernetes> _byAccount = new();

    /// <param name="manager">The manager's own client.</param>
    /// <param name="forServiceAccount">Makes the client of one controller's ServiceAccount (called once per name).</param>
    public ControllerClients(IKubernetes manager, Func<string, IKubernetes> forServiceAccount)
    {
        Manager = manager;
        _create = forServiceAccount;
    }

    public IKubernetes Manager { get; }

    /// <summary>The client of the controller that runs as ServiceAccount kube-system/<paramref name="serviceAccount"/>.</summary>
    public IKubernetes For(string serviceAccount) => _byAccount.GetOrAdd(serviceAccount, _create);

    /// <summary>
    /// Makes one cheap request (<c>GET /version</c>, which every user may) with each client made so far, so that each opens
    /// its TLS connection at start rather than at its first write: pod admission waits only a second or two for the
    /// ServiceAccount controller to make a new namespace's <c>default</c> account. Failures are left to the loops' retries.
    /// </summary>
    public Task WarmUpAsync(CancellationToken ct) =>
        Task.WhenAll(_byAccount.Values.Append(Manager).Distinct().Select(async client =>
        {
            try { await client.Version.GetCodeAsync(ct); }
            catch (Exception e) when (e is not OperationCanceledException) { }
        }));

    /// <summary>One client for everything (a stand-alone controller manager given one URL or kubeconfig).</summary>
    public static ControllerClients Shared(IKubernetes client) => new(client, _ => client);
}
