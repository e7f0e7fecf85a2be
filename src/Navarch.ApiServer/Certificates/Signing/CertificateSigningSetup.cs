using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Authorization;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watching;

namespace Navarch.ApiServer.Certificates.Signing;

/// <summary>Registers CertificateSigningRequest writing: approval and, when the server has a cluster CA, signing.</summary>
public static class CertificateSigningSetup
{
    public static void AddCertificateSigning(this IServiceCollection services, ClusterPki? pki, TimeSpan signingDuration, TimeProvider time) =>
        services.AddSingleton<ResourceStrategy>(sp =>
        {
            var cache = sp.GetRequiredService<WatchCache>();
            V1Node? Node(string name) => cache.Snapshot(ResourceCatalog.Nodes).Objects.Values
                .Select(o => (V1Node)o.Object).FirstOrDefault(n => n.Metadata.Name == name);
            return new CsrStrategy(sp.GetRequiredService<IHttpContextAccessor>(),
                new CsrAutoApprover(sp.GetRequiredService<IAuthorizer>(), Node),
                pki is null ? null : new CsrSigner(pki.Authority, signingDuration, time), time);
        });
}
