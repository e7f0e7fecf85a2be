using System.CommandLine;
using Navarch.ApiServer.Kubelet;

namespace Navarch.Commands;

/// <summary>How <c>navarch server</c> calls node agents and how long the certificates it signs for them last, with upstream's flag names (<see cref="KubeletClientOptions"/>).</summary>
public sealed class KubeletClientFlags
{
    private readonly Option<string?> _cert = new("--kubelet-client-certificate") { Description = "Client certificate (PEM) the server presents to node agents; default: one from the cluster CA (CN=kube-apiserver-kubelet-client)" };
    private readonly Option<string?> _key = new("--kubelet-client-key") { Description = "Key of --kubelet-client-certificate (PEM)" };
    private readonly Option<string?> _ca = new("--kubelet-certificate-authority") { Description = "CA (PEM) agents' serving certificates must chain to; default: the cluster CA" };
    private readonly Option<bool> _skip = new("--kubelet-insecure-skip-tls-verify") { Description = "Call node agents without checking their serving certificates (unsafe: a Node's status then chooses where the server connects)" };

    private readonly Option<string> _signingDuration = new("--cluster-signing-duration")
    {
        Description = "Longest life of the certificates the CSR signers issue (a Go duration; agents renew theirs at 70-90 % of it)",
        DefaultValueFactory = _ => "8760h",
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _cert, _key, _ca, _skip, _signingDuration }) command.Options.Add(o);
    }

    /// <summary>The signers' certificate lifetime; throws <see cref="ArgumentException"/> naming the flag.</summary>
    public TimeSpan SigningDuration(ParseResult result)
    {
        try { return Navarch.Agent.Pods.GoDuration.Parse(result.GetValue(_signingDuration)!); }
        catch (FormatException e) { throw new ArgumentException($"--cluster-signing-duration: {e.Message}"); }
    }

    public KubeletClientOptions Options(ParseResult result) => new()
    {
        ClientCertificateFile = result.GetValue(_cert),
        ClientKeyFile = result.GetValue(_key),
        CertificateAuthority = result.GetValue(_ca),
        InsecureSkipTlsVerify = result.GetValue(_skip),
    };
}
