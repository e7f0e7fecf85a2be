using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Navarch.ApiServer.Admission;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Authorization;
using Navarch.ApiServer.Authorization.Rbac;
using Navarch.ApiServer.Certificates;
using Navarch.ApiServer.ServiceAccounts;

namespace Navarch.ApiServer.Filters;

/// <summary>
/// The filters every request passes before any handler (discovery, OpenAPI, metrics and health included):
/// request info → authentication → authorization; admission runs later, in the registry, on the objects a write
/// carries. Adding an authenticator or authorizer is one class plus one line here; an admission plugin is one class
/// plus one line in <see cref="AdmissionPluginFactory"/>.
/// </summary>
public static class RequestPipeline
{
    public static void AddRequestFilters(this IServiceCollection services, ApiServerOptions options, ClusterPki? pki)
    {
        var authenticators = new List<IAuthenticator>();
        if (pki is not null) authenticators.Add(new ClientCertificateAuthenticator(pki.ClientCas, TimeProvider.System));
        if (options.TokenAuthFile is { } tokens) authenticators.Add(TokenFileAuthenticator.Load(tokens));
        services.AddServiceAccounts(options);
        // Anonymous requests may also read kube-public/cluster-info, which joining agents read before they hold a credential.
        var anonymous = new AnonymousAuthenticator(AnonymousAuthenticator.PublicInfoPaths.Append(Bootstrap.ClusterInfo.Path).ToHashSet(StringComparer.Ordinal));
        services.AddSingleton<IAuthenticator>(sp => new UnionAuthenticator(
            [.. authenticators, sp.GetRequiredService<ServiceAccountAuthenticator>(), BootstrapTokenSecrets.Authenticator(sp.GetRequiredService<Watching.WatchCache>()), anonymous]));

        services.AddHttpContextAccessor();
        services.AddSingleton<IRbacSource, CachedRbacSource>();
        services.AddSingleton<EscalationCheck>();
        foreach (var kind in RbacStrategy.Kinds)
            services.AddSingleton<Registry.ResourceStrategy>(sp => new RbacStrategy(kind, sp.GetRequiredService<EscalationCheck>()));
        services.AddSingleton<BootstrapPolicyWriter>();
        services.AddSingleton<RbacAuthorizer>();
        services.AddSingleton<NodeAuthorizer>();
        // Upstream's --authorization-mode=Node,RBAC, after the privileged group.
        services.AddSingleton<IAuthorizer>(sp => new UnionAuthorizer(
            [new PrivilegedGroupAuthorizer(), sp.GetRequiredService<NodeAuthorizer>(), sp.GetRequiredService<RbacAuthorizer>()]));

        // Admission runs inside the registry, on the decoded objects of every write (ObjectRegistry.AdmitAsync).
        services.AddSingleton<ObjectLookup>();
        services.AddSingleton<IServiceAccountSource, CachedServiceAccounts>();
        services.AddSingleton(sp => AdmissionPluginFactory.Create(options, sp));
    }

    public static void UseRequestFilters(this IApplicationBuilder app)
    {
        app.UseMiddleware<RequestInfoFilter>();
        app.UseMiddleware<AuthenticationFilter>();
        app.UseMiddleware<AuthorizationFilter>();
    }
}
