using System.CommandLine;
using k8s;
using Navarch.Agent.Certificates;

namespace Navarch.Agent.Command;

/// <summary>
/// Joining a cluster with a bootstrap token: <c>--token ID.SECRET --ca-cert-hash sha256:HASH</c> with an https
/// <c>--server</c> (the command <c>navarch server</c> prints). A node that joined before starts from its kept client
/// certificate, without the token.
/// </summary>
public sealed class AgentJoinFlags
{
    private readonly Option<string?> _token = new("--token") { Description = "Bootstrap token (ID.SECRET) to join the cluster with: the agent gets its client certificate with it" };
    private readonly Option<string?> _caCertHash = new("--ca-cert-hash") { Description = "sha256:HASH of the cluster CA's public key, which the server's CA must match" };

    public void AddTo(System.CommandLine.Command command)
    {
        command.Options.Add(_token);
        command.Options.Add(_caCertHash);
    }

    /// <summary>
    /// The client configuration of a joined node: the kept certificate, or a new one by the token. Null when the flags
    /// ask for no join (then <c>--server</c>/<c>--kubeconfig</c> decide). Throws <see cref="JoinException"/>.
    /// </summary>
    public async Task<KubernetesClientConfiguration?> ConfigureAsync(ParseResult result, string server, string nodeName, string dataDir, CancellationToken ct)
    {
        var token = result.GetValue(_token);
        var secure = server.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (token is not null && !secure) throw new JoinException("--token needs the server's https:// address (its secure port, e.g. https://HOST:6443)");
        if (!secure) return null;
        var join = new NodeJoin(server, nodeName, dataDir);
        if (join.Joined(TimeProvider.System) is { } joined) return joined;
        if (token is null) return null;
        return await join.JoinAsync(token, result.GetValue(_caCertHash), ct);
    }
}
