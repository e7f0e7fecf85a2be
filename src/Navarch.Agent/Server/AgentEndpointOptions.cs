using System.Net;

namespace Navarch.Agent.Server;

/// <summary>Where and how the agent's HTTPS server (logs, exec) listens.</summary>
public sealed record AgentEndpointOptions
{
    /// <summary>The node's own address (<c>--node-ip</c>): the only one it binds.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The port (upstream kubelet: 10250); 0 picks a free one (tests).</summary>
    public int Port { get; init; } = 10250;

    /// <summary>The node's name, for the certificate.</summary>
    public required string NodeName { get; init; }

    /// <summary>Directory of the serving certificate and key (under the agent's data dir).</summary>
    public required string CertificateDirectory { get; init; }

    /// <summary>The serving certificate with its key (<c>--tls-cert-file</c>, or one the cluster CA issued); null: a self-signed one kept in <see cref="CertificateDirectory"/>.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ServingCertificate { get; init; }

    /// <summary>Who may call it (client certificates, tokens, SubjectAccessReview); null: everyone, for a cluster that has no CA at all (no secure port).</summary>
    public Auth.AgentAuthOptions? Auth { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (IPAddress.Any.Equals(Address) || IPAddress.IPv6Any.Equals(Address))
            throw new ArgumentException("the agent server binds to the node's own address, not to every address (--node-ip)");
        if (Port is < 0 or > 65535) throw new ArgumentException($"agent server port {Port} is not a port number");
        if (string.IsNullOrWhiteSpace(NodeName)) throw new ArgumentException("the agent server needs the node's name");
        if (string.IsNullOrWhiteSpace(CertificateDirectory)) throw new ArgumentException("the agent server needs a certificate directory");
        Auth?.Validate();
    }
}
