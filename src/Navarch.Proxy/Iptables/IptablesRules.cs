using System.Globalization;
using System.Text;
using Navarch.Proxy.ChangeTracking;

namespace Navarch.Proxy.Iptables;

/// <summary>
/// Renders the iptables mode's rules as <c>iptables-restore --noflush</c> input: a <c>*filter</c> and a <c>*nat</c>
/// section, each declaring every chain it writes (<c>:NAME - [0:0]</c>, which creates or flushes it) and ending in
/// <c>COMMIT</c>, so each table changes atomically. The rule text is upstream kube-proxy's
/// (pkg/proxy/iptables/proxier.go syncProxyRules and its golden outputs in proxier_test.go), for the features a
/// <see cref="ServicePort"/> carries: cluster IPs, node ports, session affinity, externalTrafficPolicy Local, and
/// terminating endpoints. Pure: the same ports and node always give the same text.
/// </summary>
public static class IptablesRules
{
    /// <summary>The mark on packets that need SNAT on the way out (upstream's default masquerade bit 14).</summary>
    public const string MasqueradeMark = "0x4000";

    private const string Filter = "filter";
    private const string Nat = "nat";

    /// <summary>
    /// The jumps from built-in chains into this mode's chains, as upstream's iptablesJumpChains (minus the health-check
    /// and load-balancer-firewall chains this proxy does not write). All are prepended. Apply them after
    /// <see cref="Render"/>'s text has been restored: a jump needs its target chain to exist.
    /// </summary>
    public static IReadOnlyList<JumpRule> Jumps { get; } =
    [
        Jump(Filter, "INPUT", ChainNames.ExternalServices, "kubernetes externally-visible service portals", NewConnections),
        Jump(Filter, "FORWARD", ChainNames.ExternalServices, "kubernetes externally-visible service portals", NewConnections),
        Jump(Filter, "FORWARD", ChainNames.Services, "kubernetes service portals", NewConnections),
        Jump(Filter, "OUTPUT", ChainNames.Services, "kubernetes service portals", NewConnections),
        Jump(Filter, "FORWARD", ChainNames.Forward, "kubernetes forwarding rules"),
        Jump(Nat, "OUTPUT", ChainNames.Services, "kubernetes service portals"),
        Jump(Nat, "PREROUTING", ChainNames.Services, "kubernetes service portals"),
        Jump(Nat, "POSTROUTING", ChainNames.Postrouting, "kubernetes postrouting rules"),
    ];

    /// <summary>The fixed chains <see cref="Render"/> always writes, per table; the per-service ones come from <see cref="OwnedChains"/>.</summary>
    public static IReadOnlyList<(string Table, string Chain)> TopLevelChains { get; } =
    [
        (Filter, ChainNames.Services), (Filter, ChainNames.ExternalServices), (Filter, ChainNames.Forward),
        (Nat, ChainNames.Services), (Nat, ChainNames.NodePorts), (Nat, ChainNames.Postrouting), (Nat, ChainNames.MarkMasq),
    ];

    private static string[] NewConnections => ["-m", "conntrack", "--ctstate", "NEW"];

    /// <summary>
    /// The restore input for <paramref name="ports"/> on <paramref name="node"/>. Per-service chains named in
    /// <paramref name="previouslyWritten"/> (the <see cref="OwnedChains"/> of the last sync) that this render no longer
    /// writes are declared (flushing them) and then deleted with <c>-X</c> in the same nat transaction; names that are
    /// not per-service chains (KUBE-SVC/SVL/EXT/FW/SEP-…) are ignored, so a top-level or foreign chain is never deleted.
    /// </summary>
    public static string Render(IReadOnlyList<ServicePort> ports, ProxyNode node, IReadOnlyCollection<string>? previouslyWritten = null) =>
        RenderSync(ports, node, previouslyWritten).Text;

    /// <summary>
    /// <see cref="Render"/>'s text and <see cref="OwnedChains"/> from one pass: what a sync restores, and what to pass
    /// as <c>previouslyWritten</c> next time.
    /// </summary>
    public static (string Text, IReadOnlyList<string> OwnedChains) RenderSync(
        IReadOnlyList<ServicePort> ports, ProxyNode node, IReadOnlyCollection<string>? previouslyWritten)
    {
        var plan = Plan(ports, node);
        var owned = plan.ServiceChains.ToList();
        var active = plan.ServiceChains.ToHashSet(StringComparer.Ordinal);
        var stale = (previouslyWritten ?? [])
            .Where(c => ChainNames.IsServiceChain(c) && !active.Contains(c))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var chain in stale)
        {
            plan.Nat.Declare(chain);
            plan.Nat.Line("-X", chain);
        }

        var text = new StringBuilder();
        plan.Filter.WriteTo(text, Filter);
        plan.Nat.WriteTo(text, Nat);
        return (text.ToString(), owned);
    }

    /// <summary>
    /// The per-service nat chains (KUBE-SVC/SVL/EXT/SEP-…) that <see cref="Render"/> writes for the same arguments, in
    /// the order it declares them. Keep them and pass them as <c>previouslyWritten</c> next time, so chains of deleted
    /// services and endpoints are removed.
    /// </summary>
    public static IReadOnlyList<string> OwnedChains(IReadOnlyList<ServicePort> ports, ProxyNode node) => Plan(ports, node).ServiceChains;

    /// <summary>
    /// Restore input that flushes and deletes every chain of this mode: the top-level chains, and the per-service
    /// chains among <paramref name="existingNatChains"/> (the chain names of <c>iptables-save -t nat</c>). Declaring a
    /// chain creates it when missing, so the text is valid whatever exists. Delete the <see cref="Jumps"/> first: a
    /// chain that is still jumped to cannot be deleted.
    /// </summary>
    public static string RenderCleanup(IEnumerable<string> existingNatChains)
    {
        var filter = new TableText();
        var nat = new TableText();
        foreach (var (table, chain) in TopLevelChains) (table == Filter ? filter : nat).Declare(chain);
        foreach (var chain in existingNatChains.Where(ChainNames.IsServiceChain).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            nat.Declare(chain);
        }

        foreach (var chain in filter.Chains) filter.Line("-X", chain);
        foreach (var chain in nat.Chains) nat.Line("-X", chain);
        var text = new StringBuilder();
        filter.WriteTo(text, Filter);
        nat.WriteTo(text, Nat);
        return text.ToString();
    }

    private static RulePlan Plan(IReadOnlyList<ServicePort> ports, ProxyNode node)
    {
        var plan = new RulePlan();
        foreach (var (table, chain) in TopLevelChains) (table == Filter ? plan.Filter : plan.Nat).Declare(chain);

        // Masquerade marked packets once, on the way out, and clear the mark so a packet that loops is not NATed twice.
        plan.Nat.Line("-A", ChainNames.Postrouting, "-m", "mark", "!", "--mark", $"{MasqueradeMark}/{MasqueradeMark}", "-j", "RETURN");
        plan.Nat.Line("-A", ChainNames.Postrouting, "-j", "MARK", "--xor-mark", MasqueradeMark);
        // --random-fully: upstream adds it whenever iptables supports it (1.6.2+), to avoid SNAT port collisions.
        plan.Nat.Line("-A", ChainNames.Postrouting, "-m", "comment", "--comment", Comment("kubernetes service traffic requiring SNAT"),
            "-j", "MASQUERADE", "--random-fully");
        plan.Nat.Line("-A", ChainNames.MarkMasq, "-j", "MARK", "--or-mark", MasqueradeMark);

        foreach (var port in ports.OrderBy(p => p, Comparer<ServicePort>.Create(ServicePortTable.CompareByName)))
        {
            ServicePortRules.Write(plan, port, node);
        }

        // Node ports last: they match by destination port on any local address, so cluster IPs must get their chance first.
        plan.Nat.Line("-A", ChainNames.Services,
            "-m", "comment", "--comment", Comment("kubernetes service nodeports; NOTE: this must be the last rule in this chain"),
            "-m", "addrtype", "--dst-type", "LOCAL", "-j", ChainNames.NodePorts);

        // Packets conntrack calls INVALID would otherwise reach a pod un-NATed and reset the connection
        // (https://github.com/kubernetes/kubernetes/issues/74839).
        plan.Filter.Line("-A", ChainNames.Forward, "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
        // Accept forwarded service traffic even when the FORWARD policy is DROP.
        plan.Filter.Line("-A", ChainNames.Forward, "-m", "comment", "--comment", Comment("kubernetes forwarding rules"),
            "-m", "mark", "--mark", $"{MasqueradeMark}/{MasqueradeMark}", "-j", "ACCEPT");
        plan.Filter.Line("-A", ChainNames.Forward, "-m", "comment", "--comment", Comment("kubernetes forwarding conntrack rule"),
            "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
        return plan;
    }

    /// <summary>
    /// A comment argument as upstream writes it into restore input: bare when it is one safe word
    /// (<c>ns1/svc1:p80</c>), else in double quotes with <c>"</c> and <c>\</c> escaped, as iptables-save prints it.
    /// </summary>
    internal static string Comment(string text)
    {
        if (text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':')) return text;
        return "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    /// <summary>Upstream's computeProbability: <c>fmt.Sprintf("%0.10f", 1.0/n)</c>.</summary>
    internal static string Probability(int n) => (1.0 / n).ToString("F10", CultureInfo.InvariantCulture);

    private static JumpRule Jump(string table, string chain, string target, string comment, params string[] match) =>
        new(table, chain, [.. match, "-m", "comment", "--comment", comment, "-j", target]);

    /// <summary>The rules of one service port, in upstream's order: capture, masquerade, external, dispatch, endpoints.</summary>
    private static class ServicePortRules
    {
        public static void Write(RulePlan plan, ServicePort port, ProxyNode node)
        {
            var name = ChainNames.PortName(port);
            var protocol = ChainNames.Protocol(port);
            var clusterIp = port.ClusterIp.ToString();
            var servicePort = port.Port.ToString(CultureInfo.InvariantCulture);
            var svcChain = ChainNames.ClusterPolicy(port);
            var localChain = ChainNames.LocalPolicy(port);
            var extChain = ChainNames.External(port);
            var cidr = node.ClusterCidr?.ToString();

            var endpoints = ClassifiedEndpoints.Of(port, node);
            var hasEndpoints = endpoints.Cluster.Count > 0;
            var externalPolicyChain = endpoints.ExternalLocal ? localChain : svcChain;
            var hasExternalEndpoints = hasEndpoints && (!endpoints.ExternalLocal || endpoints.Local.Count > 0);

            // No endpoints at all: refuse (REJECT) rather than let packets to the VIP wander off. Endpoints elsewhere
            // but none here under policy Local: drop external traffic, as upstream does.
            var filterTarget = hasEndpoints ? "DROP" : "REJECT";
            var filterComment = Comment(hasEndpoints ? $"{name} has no local endpoints" : $"{name} has no endpoints");

            if (hasEndpoints)
            {
                plan.Nat.Line("-A", ChainNames.Services, "-m", "comment", "--comment", Comment($"{name} cluster IP"),
                    "-m", protocol, "-p", protocol, "-d", clusterIp, "--dport", servicePort, "-j", svcChain);
            }
            else
            {
                plan.Filter.Line("-A", ChainNames.Services, "-m", "comment", "--comment", filterComment,
                    "-m", protocol, "-p", protocol, "-d", clusterIp, "--dport", servicePort, "-j", filterTarget);
            }

            if (port.NodePort != 0)
            {
                var nodePort = port.NodePort.ToString(CultureInfo.InvariantCulture);
                if (hasEndpoints)
                {
                    plan.Nat.Line("-A", ChainNames.NodePorts, "-m", "comment", "--comment", Comment(name),
                        "-m", protocol, "-p", protocol, "--dport", nodePort, "-j", extChain);
                }

                if (!hasExternalEndpoints)
                {
                    plan.Filter.Line("-A", ChainNames.ExternalServices, "-m", "comment", "--comment", filterComment,
                        "-m", "addrtype", "--dst-type", "LOCAL", "-m", protocol, "-p", protocol, "--dport", nodePort, "-j", filterTarget);
                }
            }

            if (!hasEndpoints) return;

            // Traffic to the cluster IP from outside the pod network is masqueraded, so replies come back through this node.
            if (cidr is not null)
            {
                plan.Nat.Line("-A", svcChain, "-m", "comment", "--comment", Comment($"{name} cluster IP"),
                    "-m", protocol, "-p", protocol, "-d", clusterIp, "--dport", servicePort, "!", "-s", cidr, "-j", ChainNames.MarkMasq);
            }

            if (port.NodePort != 0)
            {
                WriteExternalChain(plan, name, endpoints.ExternalLocal, cidr, extChain, svcChain, externalPolicyChain, hasExternalEndpoints);
            }

            plan.DeclareServiceChain(svcChain);
            WriteDispatch(plan, port, name, svcChain, endpoints.Cluster);
            if (endpoints.ExternalLocal && endpoints.Local.Count > 0)
            {
                plan.DeclareServiceChain(localChain);
                WriteDispatch(plan, port, name, localChain, endpoints.Local);
            }

            foreach (var endpoint in endpoints.Reachable) WriteEndpointChain(plan, port, name, protocol, endpoint);
        }

        private static void WriteExternalChain(
            RulePlan plan, string name, bool externalLocal, string? cidr, string extChain, string svcChain, string policyChain, bool hasExternalEndpoints)
        {
            plan.DeclareServiceChain(extChain);
            if (!externalLocal)
            {
                // The endpoint may be on another node: masquerade so the reply returns through this one.
                plan.Nat.Line("-A", extChain, "-m", "comment", "--comment", Comment($"masquerade traffic for {name} external destinations"),
                    "-j", ChainNames.MarkMasq);
            }
            else
            {
                // Policy Local keeps the client's address, but pods and the node itself are short-circuited to the
                // cluster-wide chain, as if they had gone out to a load balancer and come back.
                if (cidr is not null)
                {
                    plan.Nat.Line("-A", extChain, "-m", "comment", "--comment", Comment($"pod traffic for {name} external destinations"),
                        "-s", cidr, "-j", svcChain);
                }

                plan.Nat.Line("-A", extChain, "-m", "comment", "--comment", Comment($"masquerade LOCAL traffic for {name} external destinations"),
                    "-m", "addrtype", "--src-type", "LOCAL", "-j", ChainNames.MarkMasq);
                plan.Nat.Line("-A", extChain, "-m", "comment", "--comment", Comment($"route LOCAL traffic for {name} external destinations"),
                    "-m", "addrtype", "--src-type", "LOCAL", "-j", svcChain);
            }

            if (hasExternalEndpoints) plan.Nat.Line("-A", extChain, "-j", policyChain);
        }

        private static void WriteDispatch(RulePlan plan, ServicePort port, string name, string chain, IReadOnlyList<ServiceEndpoint> endpoints)
        {
            // Affinity first: a client seen recently (by source address) goes back to the endpoint it had.
            if (port.ClientIpAffinity)
            {
                var seconds = port.AffinitySeconds.ToString(CultureInfo.InvariantCulture);
                foreach (var endpoint in endpoints)
                {
                    var sep = ChainNames.Endpoint(port, endpoint);
                    plan.Nat.Line("-A", chain, "-m", "comment", "--comment", Comment($"{name} -> {ChainNames.EndpointString(endpoint)}"),
                        "-m", "recent", "--name", sep, "--rcheck", "--seconds", seconds, "--reap", "-j", sep);
                }
            }

            // Rule i matches with probability 1/(n-i) of what is left, so each endpoint gets 1/n; the last always matches.
            for (var i = 0; i < endpoints.Count; i++)
            {
                var endpoint = endpoints[i];
                var comment = Comment($"{name} -> {ChainNames.EndpointString(endpoint)}");
                var sep = ChainNames.Endpoint(port, endpoint);
                if (i < endpoints.Count - 1)
                {
                    plan.Nat.Line("-A", chain, "-m", "comment", "--comment", comment,
                        "-m", "statistic", "--mode", "random", "--probability", Probability(endpoints.Count - i), "-j", sep);
                }
                else
                {
                    plan.Nat.Line("-A", chain, "-m", "comment", "--comment", comment, "-j", sep);
                }
            }
        }

        private static void WriteEndpointChain(RulePlan plan, ServicePort port, string name, string protocol, ServiceEndpoint endpoint)
        {
            var sep = ChainNames.Endpoint(port, endpoint);
            plan.DeclareServiceChain(sep);
            // A pod that reaches itself through the service must be masqueraded, or it would answer itself directly.
            plan.Nat.Line("-A", sep, "-m", "comment", "--comment", Comment(name), "-s", endpoint.Address.ToString(), "-j", ChainNames.MarkMasq);
            var dnat = new List<string> { "-A", sep, "-m", "comment", "--comment", Comment(name) };
            if (port.ClientIpAffinity) dnat.AddRange(["-m", "recent", "--name", sep, "--set"]);
            dnat.AddRange(["-m", protocol, "-p", protocol, "-j", "DNAT", "--to-destination", ChainNames.EndpointString(endpoint)]);
            plan.Nat.Line([.. dnat]);
        }
    }

    /// <summary>
    /// Upstream's CategorizeEndpoints for a service whose internal policy is Cluster: the cluster-wide usable endpoints,
    /// this node's usable ones when externalTrafficPolicy is Local, and the union of both (the ones that get a SEP chain).
    /// </summary>
    private sealed record ClassifiedEndpoints(
        bool ExternalLocal, IReadOnlyList<ServiceEndpoint> Cluster, IReadOnlyList<ServiceEndpoint> Local, IReadOnlyList<ServiceEndpoint> Reachable)
    {
        public static ClassifiedEndpoints Of(ServicePort port, ProxyNode node)
        {
            var cluster = InAddressOrder(ServicePortTable.Usable(port));
            var externalLocal = port.ExternalTrafficLocal && port.NodePort != 0;
            if (!externalLocal) return new(false, cluster, [], cluster);

            var local = ServicePortTable.Usable(port.Endpoints.Where(e => e.NodeName == node.Name));
            // Local endpoints are a subset of the cluster ones unless one side fell back to terminating endpoints.
            return new(true, cluster, InAddressOrder(local), InAddressOrder(cluster.Concat(local).DistinctBy(e => e.EndPoint)));
        }

        // The order of the random choice is the order of the rules, so it must not depend on the input's order.
        private static List<ServiceEndpoint> InAddressOrder(IEnumerable<ServiceEndpoint> endpoints) => endpoints
            .OrderBy(e => e.Address.GetAddressBytes(), Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))
            .ThenBy(e => e.Port)
            .ToList();
    }

    /// <summary>Both tables being rendered, and the per-service chains declared so far.</summary>
    private sealed class RulePlan
    {
        public TableText Filter { get; } = new();
        public TableText Nat { get; } = new();
        public List<string> ServiceChains { get; } = [];

        public void DeclareServiceChain(string chain)
        {
            Nat.Declare(chain);
            ServiceChains.Add(chain);
        }
    }

    /// <summary>One table's chain declarations and rule lines; chains are declared before any rule, as restore needs.</summary>
    private sealed class TableText
    {
        private readonly List<string> _rules = [];

        public List<string> Chains { get; } = [];

        public void Declare(string chain) => Chains.Add(chain);

        public void Line(params string[] words) => _rules.Add(string.Join(' ', words));

        public void WriteTo(StringBuilder text, string table)
        {
            text.Append('*').Append(table).Append('\n');
            foreach (var chain in Chains) text.Append(':').Append(chain).Append(" - [0:0]\n");
            foreach (var rule in _rules) text.Append(rule).Append('\n');
            text.Append("COMMIT\n");
        }
    }
}
