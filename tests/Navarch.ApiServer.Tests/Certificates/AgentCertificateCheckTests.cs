using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Navarch.ApiServer.Certificates;
using Navarch.ApiServer.Kubelet;

namespace Navarch.ApiServer.Tests.Certificates;

/// <summary>When the API server trusts an agent's serving certificate: the cluster CA, the node's name and the address dialled.</summary>
public sealed class AgentCertificateCheckTests
{
    private static readonly CertificateAuthority Ca = CertificateAuthority.Create("test-ca", TimeSpan.FromDays(1), TimeProvider.System);
    private static readonly IPAddress Node = IPAddress.Parse("192.168.0.201");

    private static X509Certificate2 Serving(string name, params IPAddress[] addresses) =>
        Ca.Issue("system:node:" + name, ["system:nodes"], CertificateUsage.Server, TimeSpan.FromHours(1), [name], addresses);

    private static string? Check(X509Certificate2 cert, string node, IPAddress address) =>
        AgentCertificateCheck.Verify(Ca.Certificate, cert, node, address, DateTimeOffset.UtcNow);

    [Fact]
    public void A_certificate_of_the_ca_for_the_nodes_name_and_address_passes() =>
        Assert.Null(Check(Serving("node-a", Node), "node-a", Node));

    [Fact]
    public void A_self_signed_certificate_is_of_an_unknown_authority()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=evil", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("evil");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal("x509: certificate signed by unknown authority", Check(self, "evil", IPAddress.Loopback));
    }

    [Fact]
    public void Another_nodes_certificate_at_the_same_address_is_refused() =>
        Assert.Equal("x509: certificate is valid for node-a, 192.168.0.201, not node-b", Check(Serving("node-a", Node), "node-b", Node));

    [Fact]
    public void A_certificate_for_another_address_is_refused() =>
        Assert.Equal("x509: certificate is valid for node-a, 192.168.0.201, not 127.0.0.1", Check(Serving("node-a", Node), "node-a", IPAddress.Loopback));

    [Fact]
    public void A_certificate_without_ip_sans_is_refused() =>
        Assert.Equal("x509: cannot validate certificate for 192.168.0.201 because it doesn't contain any IP SANs", Check(Serving("node-a"), "node-a", Node));

    [Fact]
    public void A_client_certificate_is_no_serving_certificate() =>
        Assert.Equal("x509: certificate signed by unknown authority",
            Check(Ca.Issue("node-a", [], CertificateUsage.Client, TimeSpan.FromHours(1), ["node-a"], [Node]), "node-a", Node));

    [Fact]
    public void An_expired_certificate_is_refused()
    {
        var cert = Serving("node-a", Node);
        Assert.StartsWith("x509: certificate has expired or is not yet valid", AgentCertificateCheck.Verify(Ca.Certificate, cert, "node-a", Node, DateTimeOffset.UtcNow.AddDays(2)));
    }
}
