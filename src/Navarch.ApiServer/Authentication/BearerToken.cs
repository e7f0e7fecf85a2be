using Microsoft.AspNetCore.Http;

namespace Navarch.ApiServer.Authentication;

/// <summary>Reads <c>Authorization: Bearer TOKEN</c>, the header every token authenticator looks at.</summary>
public static class BearerToken
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header["Bearer ".Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
