using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.Client;
using Navarch.Testing;

namespace Navarch.Integration.Tests.Security;

/// <summary>
/// Approving and signing CSRs needs the <c>approve</c> / <c>sign</c> verb on the signer (upstream's CertificateApproval
/// and CertificateSigning admission): <c>kubectl certificate approve</c> (1.32 and 1.27) by a user who may update
/// <c>certificatesigningrequests/approval</c> but not approve for the signer gets upstream's 403, and works once a role
/// grants <c>approve</c> on <c>signers</c> <c>kubernetes.io/*</c>.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SignerApprovalTests(SecureServerFixture fixture) : IClassFixture<SecureServerFixture>
{
    private const string Signer = "kubernetes.io/kube-apiserver-client";

    [Theory]
    [InlineData(Kubectl.Default)]
    [InlineData(Kubectl.V127)]
    public async Task Kubectl_certificate_approve_needs_approve_on_the_signer(string binary)
    {
        var user = "approver-" + Guid.NewGuid().ToString("N")[..6];
        await GrantAsync(user + "-csr", user, new V1PolicyRule { Verbs = ["get", "list"], ApiGroups = ["certificates.k8s.io"], Resources = ["certificatesigningrequests"] },
            new V1PolicyRule { Verbs = ["update"], ApiGroups = ["certificates.k8s.io"], Resources = ["certificatesigningrequests/approval"] });
        var csr = await CreateCsrAsync();
        using var kubectl = new Kubectl(fixture.SecureUrl, binary);
        var kubeconfig = fixture.KubeconfigFor(kubectl, user);

        var refused = await kubectl.RunAsync("--kubeconfig", kubeconfig, "certificate", "approve", csr);
        Assert.True(refused.ExitCode != 0, refused.ToString());
        Assert.Contains($"certificatesigningrequests.certificates.k8s.io \"{csr}\" is forbidden: user not permitted to approve requests with signerName \"{Signer}\"", refused.Stderr);
        var still = await fixture.Admin.CertificatesV1.ReadCertificateSigningRequestAsync(csr);
        Assert.True(still.Status?.Conditions is null or { Count: 0 }, "the refused approval changed the conditions");

        await GrantAsync(user + "-signers", user, new V1PolicyRule { Verbs = ["approve"], ApiGroups = ["certificates.k8s.io"], Resources = ["signers"], ResourceNames = ["kubernetes.io/*"] });
        // RBAC sees the new binding once the watch cache has it: retry for a moment.
        KubectlResult approved = refused;
        await Poll.UntilAsync("kubectl certificate approve succeeds once approve on the signer is granted", async () =>
            (approved = await kubectl.RunAsync("--kubeconfig", kubeconfig, "certificate", "approve", csr)).ExitCode == 0,
            TimeSpan.FromSeconds(10), () => approved.ToString());
        Assert.Contains("approved", approved.Stdout);
        var issued = await fixture.Admin.CertificatesV1.ReadCertificateSigningRequestAsync(csr);
        Assert.Contains(issued.Status.Conditions, c => c.Type == "Approved");
        Assert.NotEmpty(issued.Status.Certificate);
    }

    [Fact]
    public async Task Writing_a_certificate_into_the_status_needs_sign_on_the_signer()
    {
        var user = "signer-" + Guid.NewGuid().ToString("N")[..6];
        await GrantAsync(user, user, new V1PolicyRule { Verbs = ["get", "update"], ApiGroups = ["certificates.k8s.io"], Resources = ["certificatesigningrequests", "certificatesigningrequests/status"] });
        var name = await CreateCsrAsync();
        using var client = ClientConfigurations.ForCertificate(fixture.SecureUrl, fixture.Ca.Certificate, fixture.CertificateFor(user)).Client();
        var csr = await client.CertificatesV1.ReadCertificateSigningRequestAsync(name);
        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Certificate = Encoding.ASCII.GetBytes(fixture.CertificateFor("whoever").ExportCertificatePem());
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => client.CertificatesV1.ReplaceCertificateSigningRequestStatusAsync(csr, name));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(refused.Response.Content);
        Assert.Equal($"certificatesigningrequests.certificates.k8s.io \"{name}\" is forbidden: user not permitted to sign requests with signerName \"{Signer}\"", status.Message);
    }

    private async Task<string> CreateCsrAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = new CertificateRequest("CN=someone", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var created = await fixture.Admin.CertificatesV1.CreateCertificateSigningRequestAsync(new V1CertificateSigningRequest
        {
            Metadata = new V1ObjectMeta { GenerateName = "approval-" },
            Spec = new V1CertificateSigningRequestSpec { Request = Encoding.ASCII.GetBytes(pem), SignerName = Signer, Usages = ["client auth"] },
        });
        return created.Metadata.Name;
    }

    private async Task GrantAsync(string name, string user, params V1PolicyRule[] rules)
    {
        await fixture.Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = name }, Rules = rules });
        await fixture.Admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = name },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = name },
            Subjects = [new Rbacv1Subject { ApiGroup = "rbac.authorization.k8s.io", Kind = "User", Name = user }],
        });
    }
}
