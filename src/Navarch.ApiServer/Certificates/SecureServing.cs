using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Navarch.ApiServer.Certificates;

/// <summary>The HTTPS listener: our serving certificate, and client certificates asked for but checked by the authenticator.</summary>
public static class SecureServing
{
    public static void Listen(KestrelServerOptions kestrel, ApiServerOptions options, ClusterPki pki) =>
        kestrel.Listen(IPAddress.Parse(options.BindAddress), options.SecurePort, listen =>
        {
            listen.Protocols = HttpProtocols.Http1; // as the insecure port: SPDY and WebSocket upgrades need HTTP/1.1
            listen.UseHttps(https =>
            {
                https.ServerCertificate = pki.Serving;
                // Asked for, not required: anonymous requests may read /healthz and /version. Any certificate passes the
                // handshake so that one from another CA gets upstream's 401 from ClientCertificateAuthenticator.
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (_, _, _) => true;
            });
        });

    /// <summary>
    /// The URL other machines reach the secure port at, published in <c>cluster-info</c> and the join command: the bind
    /// address; for a wildcard, the insecure port's address when that is not loopback (the lab's master), else this
    /// machine's first IPv4 address that is not loopback.
    /// </summary>
    public static string AdvertisedUrl(ApiServerOptions options)
    {
        var host = options.BindAddress;
        if (host is "0.0.0.0" or "::")
        {
            host = IPAddress.TryParse(options.Bind, out var bind) && !IPAddress.IsLoopback(bind) ? options.Bind
                : System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                    .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
                    .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))?.ToString()
                  ?? "127.0.0.1";
        }
        return $"https://{(host.Contains(':') ? $"[{host}]" : host)}:{options.SecurePort}";
    }

    /// <summary>The URL clients on this machine use: loopback for a wildcard bind address.</summary>
    public static string Url(ApiServerOptions options)
    {
        var host = options.BindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : options.BindAddress;
        return $"https://{(host.Contains(':') ? $"[{host}]" : host)}:{options.SecurePort}";
    }
}
