using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using k8s;
using Navarch.Agent.Server.Auth;

namespace Navarch.Agent.Command;

/// <summary>
/// The flags of the agent server's security, named as upstream kubelet's: <c>--client-ca-file</c>,
/// <c>--anonymous-auth</c>, <c>--authorization-mode</c>, <c>--tls-cert-file</c>/<c>--tls-private-key-file</c>.
/// The client CA defaults to the cluster CA the agent already knows: its kubeconfig's, or the one the API server
/// publishes in <c>kube-public/cluster-info</c>. A cluster with no CA at all (a server without a secure port) has
/// no credentials to check, and its agents serve everyone, as its API server does.
/// </summary>
public sealed partial class AgentAuthFlags
{
    private readonly Option<string?> _clientCa = new("--client-ca-file") { Description = "CA bundle client certificates must chain to (default: the cluster CA)" };
    private readonly Option<bool> _anonymous = new("--anonymous-auth") { Description = "Serve requests without credentials as system:anonymous instead of 401" };
    private readonly Option<string> _mode = new("--authorization-mode") { Description = "Webhook (ask the API server with a SubjectAccessReview) or AlwaysAllow", DefaultValueFactory = _ => "Webhook" };
    private readonly Option<string?> _tlsCert = new("--tls-cert-file") { Description = "Serving certificate of the agent server (PEM; signed by the cluster CA for the node's name and address)" };
    private readonly Option<string?> _tlsKey = new("--tls-private-key-file") { Description = "Key of --tls-cert-file (PEM)" };

    public void AddTo(System.CommandLine.Command command)
    {
        _mode.AcceptOnlyFromAmong("Webhook", "AlwaysAllow");
        foreach (var option in new Option[] { _clientCa, _anonymous, _mode, _tlsCert, _tlsKey }) command.Options.Add(option);
    }

    /// <summary>The serving certificate of the flags, or null; throws <see cref="ArgumentException"/> naming the flag.</summary>
    public X509Certificate2? ServingCertificate(ParseResult result)
    {
        var (cert, key) = (result.GetValue(_tlsCert), result.GetValue(_tlsKey));
        if ((cert is null) != (key is null)) throw new ArgumentException("--tls-cert-file and --tls-private-key-file go together");
        if (cert is null) return null;
        foreach (var (flag, file) in new[] { ("--tls-cert-file", cert), ("--tls-private-key-file", key!) })
            if (!File.Exists(file)) throw new ArgumentException($"{flag}: {file} does not exist");
        try { return X509Certificate2.CreateFromPemFile(cert, key); }
        catch (System.Security.Cryptography.CryptographicException e) { throw new ArgumentException($"--tls-cert-file: {cert}: {e.Message}"); }
    }

    /// <summary>Checks the files the flags name, so a typo stops the agent before it registers.</summary>
    public void Validate(ParseResult result)
    {
        if (result.GetValue(_clientCa) is { } file && !File.Exists(file)) throw new ArgumentException($"--client-ca-file: {file} does not exist");
        ServingCertificate(result)?.Dispose();
    }

    /// <summary>
    /// The agent server's auth settings: null when no client CA can be found (the cluster has none). <paramref name="config"/>
    /// is the agent's own API connection, whose CA is the cluster's when it speaks TLS.
    /// </summary>
    public async Task<AgentAuthOptions?> ResolveAsync(ParseResult result, KubernetesClientConfiguration config, IKubernetes client, CancellationToken ct)
    {
        var roots = new X509Certificate2Collection();
        if (result.GetValue(_clientCa) is { } file) roots.ImportFromPemFile(file);
        else if (config.SslCaCerts is { Count: > 0 } cas) roots.AddRange(cas);
        else if (await ClusterCaAsync(client, ct) is { } published) roots.Add(published);
        if (roots.Count == 0) return null;
        return new AgentAuthOptions
        {
            ClientCas = roots,
            Reviews = new ApiServerReviews(client, TimeProvider.System),
            AnonymousAuth = result.GetValue(_anonymous),
            AlwaysAllow = result.GetValue(_mode) == "AlwaysAllow",
        };
    }

    /// <summary>The CA of <c>kube-public/cluster-info</c>'s kubeconfig (anyone may read it, as kubeadm's), or null when the server publishes none.</summary>
    public static async Task<X509Certificate2?> ClusterCaAsync(IKubernetes client, CancellationToken ct)
    {
        try
        {
            var info = await client.CoreV1.ReadNamespacedConfigMapAsync("cluster-info", "kube-public", cancellationToken: ct);
            return info.Data?.TryGetValue("kubeconfig", out var kubeconfig) == true ? CaOfKubeconfig(kubeconfig) : null;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The first cluster's <c>certificate-authority-data</c> of a kubeconfig (read without a YAML library: the agent is compiled ahead of time).</summary>
    public static X509Certificate2? CaOfKubeconfig(string kubeconfig) =>
        CaData().Match(kubeconfig) is { Success: true } m
            ? X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(m.Groups[1].Value)))
            : null;

    [GeneratedRegex(@"certificate-authority-data:\s*""?([A-Za-z0-9+/=]+)")]
    private static partial Regex CaData();
}
