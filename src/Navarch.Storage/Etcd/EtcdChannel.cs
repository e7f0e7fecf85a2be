using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Navarch.Storage.Etcd;

/// <summary>
/// One gRPC channel to every member: calls are spread round-robin over the members that answer, so when one dies (or
/// restarts) the next call goes to another; HTTP/2 keep-alive pings notice a member that hangs.
/// </summary>
internal static class EtcdChannel
{
    public static GrpcChannel Create(EtcdStoreOptions options)
    {
        var tls = options.Endpoints[0].Scheme == "https";
        var addresses = options.Endpoints.Select(e => new BalancerAddress(e.Host, e.Port)).ToList();
        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses));
        return GrpcChannel.ForAddress("static:///etcd", new GrpcChannelOptions
        {
            Credentials = tls ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },
            ServiceProvider = services.BuildServiceProvider(),
            MaxReceiveMessageSize = null, // a list of a large registry can exceed gRPC's default 4 MiB
            HttpHandler = Handler(options, tls),
            DisposeHttpClient = true,
        });
    }

    private static SocketsHttpHandler Handler(EtcdStoreOptions options, bool tls)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            KeepAlivePingDelay = TimeSpan.FromSeconds(5),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        };
        if (!tls)
            return handler;
        var ssl = new SslClientAuthenticationOptions();
        if (options.CertFile is not null)
            ssl.ClientCertificates = [X509Certificate2.CreateFromPemFile(options.CertFile, options.KeyFile)];
        if (options.CaFile is not null)
        {
            var ca = new X509Certificate2Collection();
            ca.ImportFromPemFile(options.CaFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(ca, certificate, errors);
        }
        handler.SslOptions = ssl;
        return handler;
    }

    /// <summary>Checks the member's certificate against the given CA only (the name check still applies).</summary>
    private static bool TrustedBy(X509Certificate2Collection ca, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(new X509Certificate2(certificate));
    }
}
