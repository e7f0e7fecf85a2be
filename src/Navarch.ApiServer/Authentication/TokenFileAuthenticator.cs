using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Navarch.ApiServer.Authentication;

/// <summary>
/// Static bearer tokens from <c>--token-auth-file</c>, upstream's CSV: <c>token,user,uid,"group1,group2"</c>
/// (groups optional; lines starting with # are comments). An unknown bearer token is left to the next authenticator.
/// </summary>
public sealed class TokenFileAuthenticator : IAuthenticator
{
    private readonly Dictionary<string, UserInfo> _users;

    private TokenFileAuthenticator(Dictionary<string, UserInfo> users) => _users = users;

    public int Count => _users.Count;

    /// <summary>Throws <see cref="ArgumentException"/> naming the file and line of a malformed entry.</summary>
    public static TokenFileAuthenticator Load(string path)
    {
        var users = new Dictionary<string, UserInfo>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            var fields = Csv(line);
            if (fields.Count < 3 || fields[0].Length == 0 || fields[1].Length == 0)
                throw new ArgumentException($"--token-auth-file: {path}:{lineNumber}: want token,user,uid[,\"group1,group2\"]");
            var groups = fields.Count > 3 ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            users[fields[0]] = new UserInfo(fields[1], groups, fields[2]);
        }
        return new TokenFileAuthenticator(users);
    }

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken ct) =>
        ValueTask.FromResult(Authenticate(BearerToken.From(context.Request)));

    public AuthenticationResult Authenticate(string? token)
    {
        if (token is null) return AuthenticationResult.NotApplicable;
        // Compare in constant time so response times do not reveal a token's prefix.
        var bytes = Encoding.UTF8.GetBytes(token);
        foreach (var (known, user) in _users)
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(known), bytes)) return AuthenticationResult.Success(user);
        return AuthenticationResult.NotApplicable;
    }

    /// <summary>One CSV record: commas separate fields, double quotes may wrap a field holding commas.</summary>
    private static List<string> Csv(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"' && quoted && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(current.ToString().Trim()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString().Trim());
        return fields;
    }
}
