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

    /// <summary>The URL clients on this machine use: loopback for a wildcard bind address.</summary>
    public static string Url(ApiServerOptions options)
    {
        var host = options.BindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : options.BindAddress;
        return $"https://{(host.Contains(':') ? $"[{host}]" : host)}:{options.SecurePort}";
    }
}
