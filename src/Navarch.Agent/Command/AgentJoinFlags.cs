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
    private readonly Option<bool> _unsafeSkipCaVerification = new("--discovery-token-unsafe-skip-ca-verification")
    {
        Description = "Join without --ca-cert-hash, trusting the server's CA because cluster-info is signed with the token (anyone who knows the token can then pose as the server)",
    };

    public void AddTo(System.CommandLine.Command command)
    {
        command.Options.Add(_token);
        command.Options.Add(_caCertHash);
        command.Options.Add(_unsafeSkipCaVerification);
    }

    /// <summary>
    /// The credentials of a joined node: the kept certificate, or a new one by the token. Null when the flags ask for
    /// no join (then <c>--server</c>/<c>--kubeconfig</c> decide). Throws <see cref="JoinException"/>.
    /// </summary>
    public async Task<NodeCredentials?> ConfigureAsync(ParseResult result, string server, string nodeName, string dataDir, CancellationToken ct)
    {
        var token = result.GetValue(_token);
        var secure = server.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (token is not null && !secure) throw new JoinException("--token needs the server's https:// address (its secure port, e.g. https://HOST:6443)");
        if (!secure) return null;
        var join = new NodeJoin(server, nodeName, dataDir);
        if (join.Joined(TimeProvider.System) is { } joined) return joined;
        if (token is null) return null;
        return await join.JoinAsync(token, result.GetValue(_caCertHash), result.GetValue(_unsafeSkipCaVerification), ct);
    }
}
