namespace Navarch.Agent.Server.Auth;

/// <summary>
/// What a request to the agent's server asks for, in API terms, as upstream kubelet's
/// <c>nodeAuthorizerAttributesGetter</c> maps it (pkg/kubelet/server/auth.go): resource <c>nodes</c>, name the node,
/// the verb from the HTTP method (GET get, POST create, PUT update, PATCH patch, DELETE delete) and the subresource
/// from the path: <c>/stats/…</c> stats, <c>/metrics/…</c> metrics, <c>/logs/…</c> log, everything else (exec,
/// attach, portForward, containerLogs, run, healthz) proxy. With upstream's KubeletFineGrainedAuthz, <c>/healthz</c>,
/// <c>/pods</c> and <c>/configz</c> first try a subresource of their own and fall back to proxy; the list of
/// <see cref="Subresources"/> keeps that order.
/// </summary>
public sealed record AgentRequestAttributes(string Verb, IReadOnlyList<string> Subresources, string NodeName)
{
    public const string Resource = "nodes";

    public static AgentRequestAttributes For(string method, string path, string nodeName)
    {
        var verb = method.ToUpperInvariant() switch
        {
            "GET" => "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => "",
        };
        string[] subresources = true switch
        {
            _ when IsSubpath(path, "/stats") => ["stats"],
            _ when IsSubpath(path, "/metrics") => ["metrics"],
            _ when IsSubpath(path, "/logs") => ["log"],
            _ when IsSubpath(path, "/healthz") => ["healthz", "proxy"],
            _ when IsSubpath(path, "/pods") => ["pods", "proxy"],
            _ when IsSubpath(path, "/configz") => ["configz", "proxy"],
            _ => ["proxy"],
        };
        return new AgentRequestAttributes(verb, subresources, nodeName);
    }

    /// <summary>Upstream's wording for a refusal: <c>Forbidden (user=X, verb=get, resource=nodes, subresource(s)=[proxy])</c>.</summary>
    public string ForbiddenMessage(string user) =>
        $"Forbidden (user={user}, verb={Verb}, resource={Resource}, subresource(s)=[{string.Join(' ', Subresources)}])";

    /// <summary>True for <paramref name="path"/> equal to <paramref name="prefix"/> or below it (<c>/stats</c>, <c>/stats/summary</c>, not <c>/statsx</c>).</summary>
    private static bool IsSubpath(string path, string prefix) =>
        path == prefix || (path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length && path[prefix.Length] == '/');
}
