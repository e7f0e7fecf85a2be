using Microsoft.Extensions.DependencyInjection;
using Navarch.ApiServer.Admission.PodSecurity;

namespace Navarch.ApiServer.Admission;

/// <summary>Builds the enabled plugins by name: adding a plugin is its class plus one line here.</summary>
public static class AdmissionPluginFactory
{
    public static AdmissionChain Create(ApiServerOptions options, IServiceProvider services)
    {
        var names = AdmissionPluginNames.Resolve(options.EnableAdmissionPlugins, options.DisableAdmissionPlugins);
        return new AdmissionChain(names.Select(name => Plugin(name, options, services)));
    }

    private static IAdmissionPlugin Plugin(string name, ApiServerOptions options, IServiceProvider services) => name switch
    {
        AdmissionPluginNames.NamespaceLifecycle => ActivatorUtilities.CreateInstance<NamespaceLifecycle>(services),
        AdmissionPluginNames.ServiceAccount => new ServiceAccountAdmission(services.GetRequiredService<IServiceAccountSource>(), mountTokens: options.SecurePort > 0),
        AdmissionPluginNames.NodeRestriction => new NodeRestriction(),
        AdmissionPluginNames.PodSecurity => ActivatorUtilities.CreateInstance<PodSecurityAdmission>(services),
        AdmissionPluginNames.CertificateApproval => ActivatorUtilities.CreateInstance<CertificateApproval>(services),
        AdmissionPluginNames.CertificateSigning => ActivatorUtilities.CreateInstance<CertificateSigning>(services),
        _ => throw new ArgumentException($"admission plugin \"{name}\" is not implemented"),
    };
}
