using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Navarch.ApiServer.Authorization;
using Navarch.ApiServer.Certificates;
using Navarch.ApiServer.Certificates.Signing;

namespace Navarch.ApiServer.Tests.Certificates;

/// <summary>Which CSRs are approved without a person, and what the signer issues for them.</summary>
public sealed class CsrApprovalTests
{
    private static readonly CertificateAuthority Ca = CertificateAuthority.Create("test-ca", TimeSpan.FromDays(10), TimeProvider.System);
    private static readonly string[] Bootstrapper = ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated"];
    private static readonly string[] NodeGroups = ["system:nodes", "system:authenticated"];

    /// <summary>RBAC as kubeadm binds it: bootstrap-token holders may create nodeclient CSRs, nodes selfnodeclient ones.</summary>
    private sealed class KubeadmBindings : IAuthorizer
    {
        public Decision Authorize(RequestAttributes a, out string reason)
        {
            reason = "";
            var allowed = (a.Subresource == "nodeclient" && a.User.InGroup("system:bootstrappers:kubeadm:default-node-token"))
                || (a.Subresource == "selfnodeclient" && a.User.InGroup("system:nodes"));
            return allowed ? Decision.Allow : Decision.NoOpinion;
        }
    }

    private static readonly CsrAutoApprover Approver = new(new UnionAuthorizer([new PrivilegedGroupAuthorizer(), new KubeadmBindings()]), name => name switch
    {
        "node-a" => new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "node-a" },
            Status = new V1NodeStatus { Addresses = [new V1NodeAddress { Type = "InternalIP", Address = "192.168.0.201" }, new V1NodeAddress { Type = "InternalIP", Address = "127.0.0.1" }] },
        },
        _ => null,
    });

    private static V1CertificateSigningRequest Csr(string signer, string requester, string[] groups, string cn, string[] orgs, string[] usages, string[]? dns = null, string[]? ips = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var o in orgs) subject.AddOrganizationName(o);
        subject.AddCommonName(cn);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        if (dns is not null || ips is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var d in dns ?? []) san.AddDnsName(d);
            foreach (var ip in ips ?? []) san.AddIpAddress(IPAddress.Parse(ip));
            request.CertificateExtensions.Add(san.Build());
        }
        return new V1CertificateSigningRequest
        {
            Metadata = new V1ObjectMeta { Name = "csr-test" },
            Spec = new V1CertificateSigningRequestSpec
            {
                Request = Encoding.ASCII.GetBytes(request.CreateSigningRequestPem()), SignerName = signer, Usages = usages, Username = requester, Groups = groups,
            },
        };
    }

    private static string? Decide(V1CertificateSigningRequest csr) => Approver.Decide(csr, CsrContent.Read(csr)!);

    private static V1CertificateSigningRequest NodeClient(string requester, string[] groups, string cn = "system:node:node-a", string[]? dns = null) =>
        Csr(CsrSigner.KubeletClient, requester, groups, cn, ["system:nodes"], ["digital signature", "client auth"], dns);

    private static V1CertificateSigningRequest Serving(string requester, string[] groups, string cn, string[] dns, string[] ips) =>
        Csr(CsrSigner.KubeletServing, requester, groups, cn, ["system:nodes"], ["digital signature", "server auth"], dns, ips);

    [Fact]
    public void A_bootstrap_token_holder_gets_a_node_client_certificate()
    {
        var csr = NodeClient("system:bootstrap:abcdef", Bootstrapper);
        Assert.Equal("Auto approving kubelet client certificate after SubjectAccessReview.", Decide(csr));
        var (pem, refusal) = new CsrSigner(Ca, CsrSigner.DefaultLifetime, TimeProvider.System).Sign(csr);
        Assert.Null(refusal);
        var cert = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(pem!));
        Assert.Equal("O=system:nodes, CN=system:node:node-a", cert.Subject);
        Assert.True(CertificateAuthority.Verifies(Ca.Certificate, cert, CertificateUsage.Client, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void A_node_renews_its_own_client_certificate_but_not_anothers()
    {
        Assert.Equal("Auto approving self kubelet client certificate after SubjectAccessReview.", Decide(NodeClient("system:node:node-a", NodeGroups)));
        Assert.Null(Decide(NodeClient("system:node:node-b", NodeGroups)));
    }

    [Theory]
    [InlineData("someone", "system:node:node-a", null)]          // no nodeclient permission
    [InlineData("system:bootstrap:abcdef", "node-a", null)]       // not a node's subject
    [InlineData("system:bootstrap:abcdef", "system:node:node-a", "node-a")] // a SAN on a client certificate
    public void Other_client_requests_wait_for_a_person(string requester, string cn, string? dns)
    {
        var groups = requester.StartsWith("system:bootstrap:") ? Bootstrapper : ["system:authenticated"];
        Assert.Null(Decide(NodeClient(requester, groups, cn, dns is null ? null : [dns])));
    }

    [Fact]
    public void A_node_gets_a_serving_certificate_for_its_own_name_and_address()
    {
        var csr = Serving("system:node:node-a", NodeGroups, "system:node:node-a", ["node-a"], ["192.168.0.201"]);
        Assert.NotNull(Decide(csr));
        var (pem, _) = new CsrSigner(Ca, CsrSigner.DefaultLifetime, TimeProvider.System).Sign(csr);
        var cert = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(pem!));
        Assert.Null(Kubelet.AgentCertificateCheck.Verify(Ca.Certificate, cert, "node-a", IPAddress.Parse("192.168.0.201"), DateTimeOffset.UtcNow));
    }

    [Theory]
    [InlineData("system:node:node-a", "system:node:node-a", "node-a", "127.0.0.1")]     // loopback: a person decides
    [InlineData("system:node:node-a", "system:node:node-a", "node-a", "10.9.9.9")]      // not the node's address
    [InlineData("system:node:node-a", "system:node:node-a", "kubernetes", "192.168.0.201")] // not the node's name
    [InlineData("system:node:node-b", "system:node:node-a", "node-a", "192.168.0.201")] // another node asks
    [InlineData("system:node:node-x", "system:node:node-x", "node-x", "192.168.0.201")] // no such Node
    public void Serving_requests_for_names_that_are_not_the_nodes_own_wait(string requester, string cn, string dns, string ip) =>
        Assert.Null(Decide(Serving(requester, NodeGroups, cn, [dns], [ip])));

    [Fact]
    public void System_masters_may_have_a_loopback_serving_certificate_approved() =>
        Assert.NotNull(Decide(Serving("system:unsecured", ["system:masters", "system:authenticated"], "system:node:node-a", ["node-a"], ["127.0.0.1"])));

    [Fact]
    public void The_signer_refuses_a_kubelet_certificate_for_someone_else()
    {
        var csr = Csr(CsrSigner.KubeletClient, "admin", ["system:masters"], "admin", ["system:masters"], ["client auth"]);
        var (pem, refusal) = new CsrSigner(Ca, CsrSigner.DefaultLifetime, TimeProvider.System).Sign(csr);
        Assert.Null(pem);
        Assert.Equal("subject must be CN=system:node:<name>, O=system:nodes for signer kubernetes.io/kube-apiserver-client-kubelet", refusal);
    }

    [Theory]
    [InlineData(8760 * 3600, 300)] // the default year: 5 minutes back
    [InlineData(12, 1.2)]          // --cluster-signing-duration 12s: a tenth back, so renewal (70-90 %) lies ahead
    public void The_signer_issues_for_the_signing_duration_backdated_at_most_a_tenth_of_it(double lifetimeSeconds, double backdateSeconds)
    {
        var lifetime = TimeSpan.FromSeconds(lifetimeSeconds);
        var longCa = CertificateAuthority.Create("long-ca", TimeSpan.FromDays(800), TimeProvider.System);
        var csr = NodeClient("system:node:node-a", NodeGroups, "system:node:node-a", null);
        var before = DateTimeOffset.UtcNow;
        var (pem, refusal) = new CsrSigner(longCa, lifetime, TimeProvider.System).Sign(csr);
        Assert.Null(refusal);
        var cert = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(pem!));
        Assert.InRange(cert.NotAfter.ToUniversalTime() - before.UtcDateTime, lifetime - TimeSpan.FromSeconds(2), lifetime + TimeSpan.FromSeconds(2));
        Assert.InRange(before.UtcDateTime - cert.NotBefore.ToUniversalTime(), TimeSpan.FromSeconds(backdateSeconds - 2), TimeSpan.FromSeconds(backdateSeconds + 1.5)); // X.509 times are whole seconds
    }
}
