using System.CommandLine;
using Navarch.ApiServer;
using Navarch.ApiServer.Certificates;
using Navarch.ApiServer.Hosting;
using Navarch.Controllers;

namespace Navarch.Commands;

/// <summary>
/// <c>navarch server</c>'s ServiceAccount token and encryption-at-rest flags, named as upstream's kube-apiserver names
/// them, and what the in-process controller manager is told of them (upstream's kube-controller-manager
/// <c>--root-ca-file</c> and <c>--service-account-private-key-file</c>).
/// </summary>
public sealed class ServiceAccountFlags
{
    public Option<string[]> Issuers { get; } = new("--service-account-issuer")
    {
        Description = "Issuer of ServiceAccount tokens (repeatable: the first signs, all are accepted); default https://kubernetes.default.svc.cluster.local",
    };
    public Option<string[]> ApiAudiences { get; } = new("--api-audiences")
    {
        Description = "Audiences the API accepts in tokens (repeatable or comma-separated); default the issuers",
    };
    public Option<string[]> KeyFiles { get; } = new("--service-account-key-file") { Description = "PEM RSA key(s) that verify ServiceAccount tokens (repeatable)" };
    public Option<string?> SigningKeyFile { get; } = new("--service-account-signing-key-file") { Description = "PEM RSA private key that signs ServiceAccount tokens (default: DATA_DIR/sa.key, made at first start)" };
    public Option<string?> EncryptionConfig { get; } = new("--encryption-provider-config") { Description = "EncryptionConfiguration file (apiserver.config.k8s.io/v1): encrypt Secrets at rest with aesgcm or secretbox" };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Issuers, ApiAudiences, KeyFiles, SigningKeyFile, EncryptionConfig })
            command.Options.Add(o);
    }

    public void Apply(ParseResult result, ApiServerOptions options)
    {
        options.ServiceAccounts.Issuers = [.. result.GetValue(Issuers) ?? []];
        options.ServiceAccounts.ApiAudiences = [.. (result.GetValue(ApiAudiences) ?? []).SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
        options.ServiceAccounts.KeyFiles = [.. result.GetValue(KeyFiles) ?? []];
        options.ServiceAccounts.SigningKeyFile = result.GetValue(SigningKeyFile);
        options.EncryptionProviderConfig = result.GetValue(EncryptionConfig);
    }

    /// <summary>Points the controllers at the cluster CA and the signing key when the server has them (they exist once it started).</summary>
    public static void ApplyToControllers(ApiServerHost server, ApiServerOptions options, ControllerManagerOptions controllers)
    {
        if (server.Pki is not null) controllers.RootCaFile ??= ClusterPki.CaCertificatePath(options.DataDir);
        var key = options.ServiceAccounts.SigningKeyPath(options.DataDir);
        if (File.Exists(key)) controllers.ServiceAccountPrivateKeyFile ??= key;
    }
}
