using System.CommandLine;
using Navarch.ApiServer.Kubelet;

namespace Navarch.Commands;

/// <summary>How <c>navarch server</c> calls node agents, with kube-apiserver's flag names (<see cref="KubeletClientOptions"/>).</summary>
public sealed class KubeletClientFlags
{
    private readonly Option<string?> _cert = new("--kubelet-client-certificate") { Description = "Client certificate (PEM) the server presents to node agents; default: one from the cluster CA (CN=kube-apiserver-kubelet-client)" };
    private readonly Option<string?> _key = new("--kubelet-client-key") { Description = "Key of --kubelet-client-certificate (PEM)" };
    private readonly Option<string?> _ca = new("--kubelet-certificate-authority") { Description = "CA (PEM) agents' serving certificates must chain to; default: the cluster CA" };
    private readonly Option<bool> _skip = new("--kubelet-insecure-skip-tls-verify") { Description = "Call node agents without checking their serving certificates (unsafe: a Node's status then chooses where the server connects)" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { _cert, _key, _ca, _skip }) command.Options.Add(o);
    }

    public KubeletClientOptions Options(ParseResult result) => new()
    {
        ClientCertificateFile = result.GetValue(_cert),
        ClientKeyFile = result.GetValue(_key),
        CertificateAuthority = result.GetValue(_ca),
        InsecureSkipTlsVerify = result.GetValue(_skip),
    };
}
