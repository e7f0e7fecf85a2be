namespace Navarch.Agent;

/// <summary>How one node agent runs: its identity, where it keeps files, and the timing of its loops.</summary>
public sealed class AgentOptions
{
    /// <summary>The node's name (<c>--node-name</c>); also the lease's name and holder.</summary>
    public string NodeName { get; init; } = "";

    /// <summary>The node's address (<c>--node-ip</c>): the InternalIP address and every pod's hostIP.</summary>
    public string NodeIp { get; init; } = "";

    /// <summary>Directory of the agent's files (pod logs under <c>pods/</c>).</summary>
    public string DataDir { get; init; } = "/var/lib/navarch/agent";

    /// <summary>Port of the agent's own server (logs, exec), reported as <c>daemonEndpoints.kubeletEndpoint.port</c>.</summary>
    public int Port { get; init; } = 10250;

    /// <summary>A pod CIDR to register the node with, or null to wait for the controller manager's node IPAM.</summary>
    public string? PodCidr { get; init; }

    /// <summary>Whether pods wait until the node has a pod CIDR (their IPs come from it). False only for runtimes that need none.</summary>
    public bool WaitForPodCidr { get; init; } = true;

    /// <summary>The version the node reports as <c>kubeletVersion</c> and <c>kubeProxyVersion</c>.</summary>
    public string KubeletVersion { get; init; } = "v1.32.0";

    /// <summary>The node's <c>pods</c> capacity.</summary>
    public int MaxPods { get; init; } = 110;

    /// <summary>Lease duration written into the node's lease (upstream: 40 s).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>How often the lease is renewed (upstream: a quarter of the duration, 10 s).</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the node's status is computed; it is written when it changed (upstream: 10 s).</summary>
    public TimeSpan NodeStatusUpdateFrequency { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest time between two node status writes even when nothing changed (upstream: 1 min).</summary>
    public TimeSpan NodeStatusReportFrequency { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>First restart back-off of a crashing container (upstream: 10 s); it doubles per crash.</summary>
    public TimeSpan BackOffInitial { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest restart back-off (upstream: 5 min). A container that ran twice this long starts over at <see cref="BackOffInitial"/>.</summary>
    public TimeSpan BackOffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the runtime's containers are listed to notice exits (upstream's PLEG relist: 1 s).</summary>
    public TimeSpan RelistPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the pods' configMap, secret, downwardAPI and projected volumes are read and written again, so edits
    /// reach running pods and tokens are renewed (<c>--sync-frequency</c>, upstream's kubelet period: 1 min).
    /// </summary>
    public TimeSpan SyncFrequency { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How many pods sync at once (each pod by one worker at a time).</summary>
    public int Workers { get; init; } = 4;

    /// <summary>Grace period for containers of pods that vanished from the API (upstream: 1 s).</summary>
    public TimeSpan OrphanGracePeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a pod deleted while Ready keeps serving before its preStop hooks and stop signal (at most half its
    /// grace period): every node's proxy must first drop it from its Services, which takes up to the proxy's
    /// minimum sync period (1 s) after the EndpointSlice changes. Without it, connections that reach the pod in
    /// that window are refused (measured in the lab: 5 of 68 requests during a 3-replica rollout).
    /// Upstream leaves this to a preStop sleep in every pod; 0 turns it off.
    /// </summary>
    public TimeSpan EndpointDrain { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Whether imagePullPolicy Always uses an image already present instead of pulling (these machines have
    /// no registry: the lab's images are imported). Pulls still happen for images that are missing.
    /// </summary>
    public bool OfflineImages { get; init; } = true;

    /// <summary>The resolv.conf whose name servers pods with dnsPolicy Default (and ClusterFirst, without cluster DNS) get.</summary>
    public string ResolvConfPath { get; init; } = "/etc/resolv.conf";

    /// <summary>The cluster DNS (<c>--cluster-dns</c>, <c>--cluster-domain</c>) ClusterFirst pods resolve through; null: none.</summary>
    public Pods.ClusterDnsSettings? ClusterDns { get; init; }

    /// <summary>Cgroup under which pod cgroups go (<c>ROOT/podUID</c>), or empty for the runtime's default.</summary>
    public string CgroupRoot { get; init; } = "";

    /// <summary>Whether pods get log and volume directories (false for runtimes that run nothing: hollow nodes).</summary>
    public bool KeepPodLogs { get; init; } = true;

    /// <summary>Directory under which each pod's emptyDir volumes go (<c>UID/kubernetes.io~empty-dir/NAME</c>); empty when <see cref="KeepPodLogs"/> is false.</summary>
    public string PodVolumeDirectory => KeepPodLogs ? Path.Combine(DataDir, "pod-volumes") : "";

    /// <summary>Directory under which each pod's container logs go (<c>NS_NAME_UID/CONTAINER/ATTEMPT.log</c>); empty when <see cref="KeepPodLogs"/> is false.</summary>
    public string PodLogDirectory => KeepPodLogs ? Path.Combine(DataDir, "pods") : "";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeName)) throw new ArgumentException("--node-name is required");
        if (NodeName.Length > 253 || NodeName.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')))
            throw new ArgumentException($"--node-name \"{NodeName}\" is not a DNS subdomain (lower-case letters, digits, '-' and '.')");
        if (!System.Net.IPAddress.TryParse(NodeIp, out _)) throw new ArgumentException($"--node-ip \"{NodeIp}\" is not an IP address");
        if (string.IsNullOrWhiteSpace(DataDir)) throw new ArgumentException("--data-dir is required");
        if (Port is < 1 or > 65535) throw new ArgumentException($"--port {Port} is not a port number");
        if (PodCidr is not null && !System.Net.IPNetwork.TryParse(PodCidr, out _)) throw new ArgumentException($"--pod-cidr \"{PodCidr}\" is not a CIDR");
        if (Workers < 1) throw new ArgumentException("workers must be at least 1");
        foreach (var (name, value) in new[] { ("lease renew interval", LeaseRenewInterval), ("node status update frequency", NodeStatusUpdateFrequency), ("back-off", BackOffInitial), ("relist period", RelistPeriod), ("--sync-frequency", SyncFrequency) })
            if (value <= TimeSpan.Zero) throw new ArgumentException($"{name} must be positive");
        if (BackOffMax < BackOffInitial) throw new ArgumentException("maximum back-off must not be below the initial back-off");
    }
}
