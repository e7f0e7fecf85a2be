using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Certificates;

namespace Navarch.ApiServer.Authentication;

/// <summary>
/// x509 client certificates: the common name is the user, each organization a group (upstream's CommonNameUserConversion).
/// TLS accepts any client certificate so that one from another CA gets upstream's 401 rather than a failed handshake;
/// the chain is checked and the user built here, once per connection (Kestrel keeps one certificate object per connection).
/// </summary>
public sealed class ClientCertificateAuthenticator(X509Certificate2Collection roots, TimeProvider time) : IAuthenticator
{
    private readonly ConditionalWeakTable<X509Certificate2, Verdict> _verdicts = [];

    private sealed record Verdict(UserInfo? User, string? Error);

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken ct)
    {
        var cert = context.Connection.ClientCertificate;
        if (cert is null) return ValueTask.FromResult(AuthenticationResult.NotApplicable);
        var now = time.GetUtcNow();
        if (now > cert.NotAfter || now < cert.NotBefore)
            return ValueTask.FromResult(AuthenticationResult.Failure("x509: certificate has expired or is not yet valid"));
        var verdict = _verdicts.GetValue(cert, Check);
        return ValueTask.FromResult(verdict.User is { } user ? AuthenticationResult.Success(user) : AuthenticationResult.Failure(verdict.Error!));
    }

    private Verdict Check(X509Certificate2 cert)
    {
        var now = time.GetUtcNow();
        if (!roots.Cast<X509Certificate2>().Any(root => CertificateAuthority.Verifies(root, cert, CertificateUsage.Client, now)))
            return new Verdict(null, "x509: certificate signed by unknown authority");
        var name = cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (string.IsNullOrEmpty(name)) return new Verdict(null, "x509: certificate has no common name");
        // With system:authenticated already, so the union's group adder returns it as is: one user per connection, not per request.
        return new Verdict(new UserInfo(name, Organizations(cert.SubjectName)).WithAuthenticatedGroup(), null);
    }

    private static List<string> Organizations(X500DistinguishedName subject) =>
        subject.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10")
            .Select(rdn => rdn.GetSingleElementValue() ?? "")
            .Where(o => o.Length > 0)
            .ToList();
}
