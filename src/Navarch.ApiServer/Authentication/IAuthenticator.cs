using Microsoft.AspNetCore.Http;

namespace Navarch.ApiServer.Authentication;

/// <summary>
/// Finds who sent a request, as upstream's <c>authenticator.Request</c>. Answers <see cref="AuthenticationResult.NotApplicable"/>
/// when the request carries no credential of its kind (the next authenticator tries), a user when the credential is good,
/// and a failure when it carries one that is bad (expired, tampered, unknown issuer): the request then gets 401.
/// Adding a way to authenticate is one class implementing this, registered in <see cref="AuthenticationSetup"/>.
/// </summary>
public interface IAuthenticator
{
    ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken ct);
}

public readonly record struct AuthenticationResult(UserInfo? User, string? Error)
{
    public static AuthenticationResult NotApplicable => default;
    public static AuthenticationResult Success(UserInfo user) => new(user, null);
    public static AuthenticationResult Failure(string error) => new(null, error);
    public bool Applies => User is not null || Error is not null;
}
