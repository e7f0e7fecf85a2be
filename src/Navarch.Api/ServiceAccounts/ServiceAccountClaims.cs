using System.Text.Json;
using System.Text.Json.Nodes;

namespace Navarch.Api.ServiceAccounts;

/// <summary>An object a token names: its name and uid.</summary>
public sealed record ObjectRef(string Name, string Uid);

/// <summary>What a ServiceAccount token claims, read from its JWT claims (not yet checked against the cluster).</summary>
public sealed record ServiceAccountToken(
    string Issuer, string Namespace, string Name, string Uid,
    ObjectRef? Pod, ObjectRef? Secret, ObjectRef? Node,
    string? LegacySecretName, string? Jti, IReadOnlyList<string> Audiences,
    DateTimeOffset? Expires, DateTimeOffset? NotBefore)
{
    public bool IsLegacy => LegacySecretName is not null;
}

/// <summary>
/// Upstream's ServiceAccount token claims (pkg/serviceaccount/claims.go and legacy.go): bound tokens carry the standard
/// claims plus a private <c>kubernetes.io</c> claim naming the namespace, the ServiceAccount and the object the token is
/// bound to; legacy Secret tokens carry the flat <c>kubernetes.io/serviceaccount/*</c> claims and never expire.
/// </summary>
public static class ServiceAccountClaims
{
    public const string LegacyIssuer = "kubernetes/serviceaccount";
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";
    public const string UserPrefix = "system:serviceaccount:";
    public const string AllServiceAccountsGroup = "system:serviceaccounts";
    private const string Private = "kubernetes.io";
    private const string LegacyPrefix = "kubernetes.io/serviceaccount/";

    /// <summary><c>system:serviceaccount:NS:NAME</c>.</summary>
    public static string UserName(string ns, string name) => $"{UserPrefix}{ns}:{name}";

    /// <summary><c>system:serviceaccounts</c> and <c>system:serviceaccounts:NS</c>.</summary>
    public static IReadOnlyList<string> Groups(string ns) => [AllServiceAccountsGroup, $"{AllServiceAccountsGroup}:{ns}"];

    /// <summary>The claims of a TokenRequest's token (upstream's claims.go <c>Claims</c>).</summary>
    public static JsonObject Bound(string issuer, IReadOnlyList<string> audiences, DateTimeOffset issuedAt, long expirationSeconds,
        string ns, ObjectRef serviceAccount, ObjectRef? pod, ObjectRef? secret, ObjectRef? node, string jti)
    {
        var iat = issuedAt.ToUnixTimeSeconds();
        var kubernetes = new JsonObject { ["namespace"] = ns };
        if (node is not null) kubernetes["node"] = Ref(node);
        if (pod is not null) kubernetes["pod"] = Ref(pod);
        if (secret is not null) kubernetes["secret"] = Ref(secret);
        kubernetes["serviceaccount"] = Ref(serviceAccount);
        return new JsonObject
        {
            ["aud"] = new JsonArray(audiences.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["exp"] = iat + expirationSeconds,
            ["iat"] = iat,
            ["iss"] = issuer,
            ["jti"] = jti,
            [Private] = kubernetes,
            ["nbf"] = iat,
            ["sub"] = UserName(ns, serviceAccount.Name),
        };
    }

    /// <summary>The claims of a legacy token Secret's token (upstream's legacy.go): no audience, no expiry.</summary>
    public static JsonObject Legacy(string ns, ObjectRef serviceAccount, string secretName) => new()
    {
        ["iss"] = LegacyIssuer,
        [LegacyPrefix + "namespace"] = ns,
        [LegacyPrefix + "secret.name"] = secretName,
        [LegacyPrefix + "service-account.name"] = serviceAccount.Name,
        [LegacyPrefix + "service-account.uid"] = serviceAccount.Uid,
        ["sub"] = UserName(ns, serviceAccount.Name),
    };

    /// <summary>The token the claims describe; null when they are not a ServiceAccount token's (a required claim is missing).</summary>
    public static ServiceAccountToken? Parse(JsonObject claims)
    {
        var issuer = Text(claims["iss"]);
        if (issuer is null) return null;
        if (issuer == LegacyIssuer)
        {
            string? L(string name) => Text(claims[LegacyPrefix + name]);
            if (L("namespace") is not { Length: > 0 } lns || L("service-account.name") is not { Length: > 0 } lname || L("secret.name") is not { Length: > 0 } secretName)
                return null;
            return new ServiceAccountToken(issuer, lns, lname, L("service-account.uid") ?? "", null, null, null, secretName, null, [], null, null);
        }
        if (claims[Private] is not JsonObject k || Text(k["namespace"]) is not { Length: > 0 } ns
            || RefOf(k["serviceaccount"]) is not { Name.Length: > 0 } sa)
            return null;
        return new ServiceAccountToken(issuer, ns, sa.Name, sa.Uid, RefOf(k["pod"]), RefOf(k["secret"]), RefOf(k["node"]), null,
            Text(claims["jti"]), Audiences(claims["aud"]), Time(claims["exp"]), Time(claims["nbf"]));
    }

    private static JsonObject Ref(ObjectRef r) => new() { ["name"] = r.Name, ["uid"] = r.Uid };

    private static ObjectRef? RefOf(JsonNode? node) =>
        node is JsonObject o && Text(o["name"]) is { } name ? new ObjectRef(name, Text(o["uid"]) ?? "") : null;

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>RFC 7519's "aud": one string or an array of them.</summary>
    private static IReadOnlyList<string> Audiences(JsonNode? node) => node switch
    {
        JsonArray a => a.Select(Text).OfType<string>().ToList(),
        _ when Text(node) is { } one => [one],
        _ => [],
    };

    private static DateTimeOffset? Time(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? DateTimeOffset.FromUnixTimeSeconds(v.TryGetValue<long>(out var whole) ? whole : (long)Math.Clamp(v.GetValue<double>(), -1e11, 1e11))
            : null;
}
