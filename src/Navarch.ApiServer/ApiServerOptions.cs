namespace Navarch.ApiServer;

/// <summary>Settings of <c>navarch server</c>, validated at start with messages that name the flag.</summary>
public sealed class ApiServerOptions
{
    public string DataDir { get; set; } = "/var/lib/navarch/server";
    public string Bind { get; set; } = "127.0.0.1";
    public int InsecurePort { get; set; } = 8080;
    /// <summary>
    /// The HTTPS port (0: none). 0 here so that servers started in-process (tests) never fight over one port;
    /// <c>navarch server</c> defaults to <see cref="DefaultSecurePort"/>, as upstream.
    /// </summary>
    public int SecurePort { get; set; }
    public const int DefaultSecurePort = 6443;
    /// <summary>Address of the secure port (upstream's <c>--bind-address</c>).</summary>
    public string BindAddress { get; set; } = "0.0.0.0";
    /// <summary>A person's own serving certificate and key (PEM); without them the server makes its own from the cluster CA.</summary>
    public string? TlsCertFile { get; set; }
    public string? TlsPrivateKeyFile { get; set; }
    /// <summary>The CAs client certificates must chain to; the cluster CA when unset.</summary>
    public string? ClientCaFile { get; set; }
    /// <summary>Upstream's static token CSV: <c>token,user,uid,"group1,group2"</c>.</summary>
    public string? TokenAuthFile { get; set; }
    public string ServiceClusterIpRange { get; set; } = "10.96.0.0/12";
    public string ServiceNodePortRange { get; set; } = "30000-32767";
    /// <summary>Events per resource type kept for watches that resume from a resourceVersion.</summary>
    public int WatchCacheSize { get; set; } = 10_000;
    /// <summary>The store's backend and its own options (<c>--storage-backend</c>, <c>--etcd-*</c>, SQLite's compaction).</summary>
    public Navarch.Storage.StoreSettings Storage { get; set; } = new();
    /// <summary>How long this server stays in the <c>kubernetes</c> endpoints without renewing (upstream: 15 s, renewed every 10 s).</summary>
    public TimeSpan MasterLeaseTtl { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan WatchBookmarkInterval { get; set; } = TimeSpan.FromMinutes(1);
    public double MinRequestTimeoutSeconds { get; set; } = 1800;
    /// <summary>Admission plugins turned on or off beside the defaults (upstream's names; <see cref="Admission.AdmissionPluginNames"/>).</summary>
    public IReadOnlyList<string> EnableAdmissionPlugins { get; set; } = [];
    public IReadOnlyList<string> DisableAdmissionPlugins { get; set; } = [];
    /// <summary>ServiceAccount token keys and issuers (<c>--service-account-*</c>).</summary>
    public ServiceAccounts.ServiceAccountOptions ServiceAccounts { get; set; } = new();
    /// <summary>Upstream's <c>--encryption-provider-config</c>: how Secrets (and other listed resources) are encrypted at rest.</summary>
    public string? EncryptionProviderConfig { get; set; }
    /// <summary>How node agents are called (<c>--kubelet-*</c>).</summary>
    public Kubelet.KubeletClientOptions Kubelet { get; set; } = new();
    /// <summary><c>--cluster-signing-duration</c>: the longest life of a certificate the CSR signers issue (upstream: 8760h).</summary>
    public TimeSpan ClusterSigningDuration { get; set; } = Certificates.Signing.CsrSigner.DefaultLifetime;

    public (int First, int Last) ParseNodePortRange()
    {
        var parts = ServiceNodePortRange.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length == 2 && int.TryParse(parts[0], out var first) && int.TryParse(parts[1], out var last)
            && first >= 1 && last <= 65535 && first <= last)
            return (first, last);
        throw new ArgumentException($"--service-node-port-range: \"{ServiceNodePortRange}\" is not a range like 30000-32767");
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad flag.</summary>
    public void Validate()
    {
        if (!System.Net.IPAddress.TryParse(Bind, out var bind)) throw new ArgumentException($"--bind: \"{Bind}\" is not an IP address");
        // The insecure port lets anyone do anything: it may listen on loopback or one chosen (lab) address, never on all.
        if (InsecurePort > 0 && (bind.Equals(System.Net.IPAddress.Any) || bind.Equals(System.Net.IPAddress.IPv6Any)))
            throw new ArgumentException($"--bind: the insecure port has no authentication; give loopback or a lab address, not \"{Bind}\" (or --insecure-port 0)");
        if (InsecurePort is < 0 or > 65535) throw new ArgumentException($"--insecure-port: {InsecurePort} is not a port");
        if (SecurePort is < 0 or > 65535) throw new ArgumentException($"--secure-port: {SecurePort} is not a port");
        if (!System.Net.IPAddress.TryParse(BindAddress, out _)) throw new ArgumentException($"--bind-address: \"{BindAddress}\" is not an IP address");
        if (InsecurePort > 0 && SecurePort > 0 && InsecurePort == SecurePort && Bind == BindAddress)
            throw new ArgumentException($"--secure-port: {SecurePort} is also the insecure port");
        if ((TlsCertFile is null) != (TlsPrivateKeyFile is null))
            throw new ArgumentException("--tls-cert-file and --tls-private-key-file go together");
        foreach (var (flag, file) in new[] { ("--tls-cert-file", TlsCertFile), ("--tls-private-key-file", TlsPrivateKeyFile), ("--client-ca-file", ClientCaFile), ("--token-auth-file", TokenAuthFile) })
            if (file is not null && !File.Exists(file)) throw new ArgumentException($"{flag}: {file} does not exist");
        if (InsecurePort == 0 && SecurePort == 0) throw new ArgumentException("--secure-port: 0 with --insecure-port 0 leaves nothing to serve on");
        try { Allocation.ServiceAllocator.ParseCidr(ServiceClusterIpRange); }
        catch (ArgumentException) { throw new ArgumentException($"--service-cluster-ip-range: \"{ServiceClusterIpRange}\" is not an IPv4 CIDR"); }
        ParseNodePortRange();
        if (WatchCacheSize < 1) throw new ArgumentException("--watch-cache-size must be at least 1");
        if (MasterLeaseTtl < TimeSpan.FromSeconds(1)) throw new ArgumentException("--master-lease-ttl-seconds must be at least 1");
        Admission.AdmissionPluginNames.Resolve(EnableAdmissionPlugins, DisableAdmissionPlugins);
        ServiceAccounts.Validate();
        if (EncryptionProviderConfig is { } config && !File.Exists(config))
            throw new ArgumentException($"--encryption-provider-config: {config} does not exist");
        Kubelet.Validate();
        if (ClusterSigningDuration <= TimeSpan.Zero) throw new ArgumentException("--cluster-signing-duration: must be positive");
    }
}
