using System.CommandLine;
using Navarch.ApiServer;

namespace Navarch.Commands;

/// <summary>The TLS and authentication flags of <c>navarch server</c>, named as upstream's kube-apiserver names them.</summary>
public sealed class SecureServingFlags
{
    private static readonly ApiServerOptions Defaults = new();

    public Option<int> SecurePort { get; } = new("--secure-port") { Description = "HTTPS port with authentication and RBAC (0: off)", DefaultValueFactory = _ => ApiServerOptions.DefaultSecurePort };
    public Option<string> BindAddress { get; } = new("--bind-address") { Description = "Address of the secure port", DefaultValueFactory = _ => Defaults.BindAddress };
    public Option<string?> TlsCertFile { get; } = new("--tls-cert-file") { Description = "Serving certificate (PEM) instead of one from the cluster CA" };
    public Option<string?> TlsKeyFile { get; } = new("--tls-private-key-file") { Description = "Key of --tls-cert-file (PEM)" };
    public Option<string?> ClientCaFile { get; } = new("--client-ca-file") { Description = "CAs that client certificates must chain to (PEM); the cluster CA by default" };
    public Option<string?> TokenAuthFile { get; } = new("--token-auth-file") { Description = "Static bearer tokens, CSV: token,user,uid,\"group1,group2\"" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { SecurePort, BindAddress, TlsCertFile, TlsKeyFile, ClientCaFile, TokenAuthFile })
            command.Options.Add(o);
    }

    public void Apply(ParseResult result, ApiServerOptions options)
    {
        options.SecurePort = result.GetValue(SecurePort);
        options.BindAddress = result.GetValue(BindAddress)!;
        options.TlsCertFile = result.GetValue(TlsCertFile);
        options.TlsPrivateKeyFile = result.GetValue(TlsKeyFile);
        options.ClientCaFile = result.GetValue(ClientCaFile);
        options.TokenAuthFile = result.GetValue(TokenAuthFile);
    }
}
