using System.Text;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Tests.Fuzzing;

/// <summary>How the bytes of a request reach the server.</summary>
public enum Delivery
{
    /// <summary>Through HttpClient, all at once.</summary>
    Normal,
    /// <summary>Over a raw socket, a few bytes at a time with pauses.</summary>
    Slow,
    /// <summary>Over a raw socket, announcing more bytes than it sends, then closing its side.</summary>
    Truncated,
}

/// <summary>One request the fuzzer sends.</summary>
public sealed record HostileRequest(string Method, string Path, string? ContentType, byte[]? Body, Delivery Delivery,
    string? ContentEncoding = null, string? Accept = null)
{
    public bool Watches => Path.Contains("watch=true", StringComparison.Ordinal) || Path.Contains("watch=1", StringComparison.Ordinal);

    public override string ToString()
    {
        var body = Body is null ? "no body" : $"{Body.Length} bytes: {Escape(Body.AsSpan(0, Math.Min(Body.Length, 300)))}{(Body.Length > 300 ? "…" : "")}";
        return $"{Method} {(Path.Length > 300 ? Path[..300] + "…" : Path)} ({ContentType ?? "no content type"}{(ContentEncoding is null ? "" : ", " + ContentEncoding)}, {Delivery}) {body}";
    }

    private static string Escape(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes) sb.Append(b is >= 0x20 and < 0x7f ? (char)b : $"\\x{b:x2}");
        return sb.ToString();
    }
}

/// <summary>
/// A seeded stream of hostile requests over every resource, verb, subresource and body format the server takes. The same
/// seed gives the same requests, whatever the server answered, so a failure replays from its seed alone.
/// </summary>
public sealed class HostileRequests(int seed)
{
    /// <summary>The namespace the fuzzer never names: what lives there must come through unchanged.</summary>
    public const string SentinelNamespace = "sentinel";
    public const string Namespace = "fuzz";
    public static readonly string[] Names = ["a", "b", "c"];

    private static readonly string[] PatchTypes =
        ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"];
    private static readonly string[] BodyTypes =
        ["application/json", "application/yaml", "application/x-yaml", "text/yaml", "application/vnd.kubernetes.protobuf",
         "text/plain", "application/json; charset=utf-16", "application/json;;=;", "*/*"];

    private readonly Random _r = new(seed);

    public HostileRequest Next()
    {
        var roll = _r.Next(100);
        var request = roll switch
        {
            < 20 => Create(),
            < 32 => Update(),
            < 65 => Patch(),
            < 80 => Read(),
            < 90 => Delete(),
            < 95 => Odd(),
            _ => Oversized(),
        };
        var delivery = _r.Next(100) switch { < 3 => Delivery.Slow, < 5 => Delivery.Truncated, _ => Delivery.Normal };
        return request.Body is null || request.Watches ? request : request with { Delivery = delivery };
    }

    private ObjectTemplates.Resource Resource() => ObjectTemplates.All[_r.Next(ObjectTemplates.All.Length)];

    private string NamespaceName() => _r.Next(10) switch
    {
        < 7 => Namespace,
        7 => "default",
        8 => "kube-system",
        _ => Pick(["nope", "UPPER", "a..b", "%2e%2e", "x%00y", new string('n', 300), "-", "%F0%9F%98%80"]),
    };

    private string Name() => _r.Next(10) < 8 ? Names[_r.Next(Names.Length)] : Pick(["d", "%20", "a%2Fb", "..", new string('x', 300), "UP", "%C3%28"]);

    /// <summary>The path of a collection or an object (namespaces themselves named from the namespace pool).</summary>
    private string PathOf(ObjectTemplates.Resource res, string? name, string? sub = null)
    {
        var path = res.Namespaced ? $"{res.Prefix}/namespaces/{NamespaceName()}/{res.Plural}" : $"{res.Prefix}/{res.Plural}";
        if (name is not null) path += "/" + (res.Plural == "namespaces" ? NamespaceName() : name);
        if (sub is not null) path += "/" + sub;
        return path;
    }

    private (JsonObject Valid, string Name) Valid(ObjectTemplates.Resource res)
    {
        var name = Name();
        var objectName = _r.Next(10) == 0 ? Name() : name; // sometimes a name other than the URL's
        return (res.Object(res.Plural == "namespaces" ? NamespaceName() : objectName, res.Namespaced && _r.Next(5) == 0 ? NamespaceName() : null), name);
    }

    private HostileRequest Create()
    {
        var res = Resource();
        var (valid, _) = Valid(res);
        var type = _r.Next(3) == 0 ? Pick(BodyTypes) : "application/json";
        var yaml = type.Contains("yaml", StringComparison.Ordinal);
        return new("POST", PathOf(res, null) + WriteQuery(), type, HostileBodies.Object(_r, valid, yaml), Delivery.Normal);
    }

    private HostileRequest Update()
    {
        var res = Resource();
        var (valid, name) = Valid(res);
        var sub = _r.Next(4) == 0 && res.Subresources.Length > 0 ? Pick(res.Subresources.Where(s => s is "status" or "scale" or "finalize").DefaultIfEmpty("status").ToArray()) : null;
        var type = _r.Next(4) == 0 ? Pick(BodyTypes) : "application/json";
        return new("PUT", PathOf(res, name, sub) + WriteQuery(), type, HostileBodies.Object(_r, valid, type.Contains("yaml", StringComparison.Ordinal)), Delivery.Normal);
    }

    private HostileRequest Patch()
    {
        var res = Resource();
        var (valid, name) = Valid(res);
        var sub = _r.Next(5) == 0 && res.Subresources.Length > 0 ? Pick(["status", "scale"]) : null;
        var type = _r.Next(15) == 0 ? Pick(BodyTypes) : Pick(PatchTypes);
        var body = type switch
        {
            "application/json-patch+json" => HostileBodies.JsonPatch(_r, valid),
            "application/merge-patch+json" => HostileBodies.MergePatch(_r, valid, strategic: false),
            "application/strategic-merge-patch+json" => HostileBodies.MergePatch(_r, valid, strategic: true),
            _ => HostileBodies.Object(_r, valid, yaml: _r.Next(2) == 0),
        };
        var query = WriteQuery();
        if (type == "application/apply-patch+yaml" && _r.Next(6) != 0)
            query += (query.Length == 0 ? "?" : "&") + "fieldManager=" + Uri.EscapeDataString(_r.Next(4) == 0 ? Pick(["", new string('m', 200), "\u00e9\u0000", "kubectl"]) : "fuzzer") + (_r.Next(3) == 0 ? "&force=true" : "");
        return new("PATCH", PathOf(res, name, sub) + query, type, body, Delivery.Normal);
    }

    private HostileRequest Read()
    {
        var res = Resource();
        var one = _r.Next(3) == 0;
        var query = new List<string>();
        if (_r.Next(2) == 0) query.Add("labelSelector=" + Uri.EscapeDataString(HostileValues.Selector(_r)));
        if (_r.Next(2) == 0) query.Add("fieldSelector=" + Uri.EscapeDataString(HostileValues.Selector(_r)));
        if (_r.Next(3) == 0) query.Add("limit=" + Pick(["-1", "0", "1", "99999999999999999999", "x", "2"]));
        if (_r.Next(4) == 0) query.Add("continue=" + Uri.EscapeDataString(Pick(["x", "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiXHUwMDAwIn0", "%%%", "e30", new string('A', 5000)])));
        // No resourceVersion newer than the store's: the server rightly waits for it (then 504), which only costs time.
        if (_r.Next(4) == 0) query.Add("resourceVersion=" + Pick(["0", "", "abc", "-1", "1", "99999999999999999999999", " 1"]));
        if (_r.Next(6) == 0) query.Add("resourceVersionMatch=" + Pick(["NotOlderThan", "Exact", "x"]));
        if (_r.Next(8) == 0) query.Add("includeObject=" + Pick(["None", "Object", "Metadata", "x"]));
        if (_r.Next(25) == 0) query.Add("watch=true&timeoutSeconds=" + Pick(["1", "-5", "0", "99999999999", "x"]));
        var accept = _r.Next(5) == 0 ? Pick(["application/json;as=Table;v=v1;g=meta.k8s.io", "application/json;as=Table;g=meta.k8s.io;v=v1beta1, application/json", "*/*;q=x", "application/vnd.kubernetes.protobuf", ";;;"]) : null;
        var path = PathOf(res, one ? Name() : null) + (query.Count == 0 ? "" : "?" + string.Join("&", query));
        return new("GET", path, null, null, Delivery.Normal, Accept: accept);
    }

    private HostileRequest Delete()
    {
        var res = Resource();
        byte[]? body = _r.Next(2) == 0 ? null : Encoding.UTF8.GetBytes(_r.Next(3) switch
        {
            0 => $$$"""{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":{{{HostileValues.Any(_r)}}},"propagationPolicy":{{{HostileValues.Any(_r)}}},"preconditions":{"uid":{{{HostileValues.Any(_r)}}},"resourceVersion":{{{HostileValues.Any(_r)}}}}}""",
            1 => HostileValues.Any(_r),
            _ => HostileValues.Deep(_r, HostileValues.DeepLevels),
        });
        var query = _r.Next(3) == 0 ? "?gracePeriodSeconds=" + Pick(["-1", "0", "99999999999999999999", "x"]) + "&propagationPolicy=" + Pick(["Orphan", "Foreground", "Background", "x"]) : "";
        // Collections only in the fuzzer's namespace: a cluster-wide delete would reach the sentinels.
        var collection = res.Namespaced && _r.Next(6) == 0;
        // The fuzzer's own namespace stays: once terminating, it would refuse every create that follows.
        var path = collection ? $"{res.Prefix}/namespaces/{Namespace}/{res.Plural}?labelSelector=" + Uri.EscapeDataString(HostileValues.Selector(_r)) + query.Replace('?', '&')
            : res.Plural == "namespaces" ? $"/api/v1/namespaces/{Pick(["default", "kube-system", "nope", "UPPER"])}" + query
            : PathOf(res, Name()) + query;
        return new("DELETE", path, body is null ? null : "application/json", body, Delivery.Normal);
    }

    /// <summary>Paths and methods off the beaten track: proxy subresources of a pod that is nowhere, odd verbs, odd paths.</summary>
    private HostileRequest Odd() => _r.Next(6) switch
    {
        // The pod "ghost" is never created, so no request is proxied to a node: the server only ever talks to the test.
        0 => new(Pick(["GET", "POST"]), $"/api/v1/namespaces/{Namespace}/pods/ghost/{Pick(["log", "exec", "attach", "portforward"])}?container=" + Uri.EscapeDataString(HostileValues.Selector(_r)) + "&command=ls&tailLines=" + Pick(["-1", "x", "99999999999999999999"]), null, null, Delivery.Normal),
        1 => new(Pick(["PROPFIND", "TRACE", "OPTIONS", "HEAD", "PUT"]), PathOf(Resource(), _r.Next(2) == 0 ? Name() : null), null, null, Delivery.Normal),
        2 => new("GET", Pick(["/api/v1/namespaces/fuzz/pods/a/b/c/d", "/apis/x/y/z", "/api/v2/pods", "/apis/coordination.k8s.io", "/openapi/v3/api/v1", "/openapi/v3/x%00", "/api/v1/namespaces//pods", "/api/v1/%2e%2e/%2e%2e/healthz", "/apis/discovery.k8s.io/v1/endpointslices?watch=1&timeoutSeconds=0", "/version?x=" + new string('y', 4000)]), null, null, Delivery.Normal),
        3 => new("POST", $"/api/v1/namespaces/{Namespace}/pods/{Name()}/binding", "application/json", Encoding.UTF8.GetBytes($$$"""{"apiVersion":"v1","kind":"Binding","metadata":{"name":{{{HostileValues.Any(_r)}}}},"target":{"kind":"Node","name":{{{HostileValues.Any(_r)}}}}}"""), Delivery.Normal),
        4 => new("POST", $"/api/v1/namespaces/{Namespace}/pods/{Name()}/eviction", "application/json", Encoding.UTF8.GetBytes(HostileValues.Any(_r)), Delivery.Normal),
        _ => new("PUT", $"/api/v1/namespaces/{NamespaceName()}/finalize", "application/json", Encoding.UTF8.GetBytes(HostileValues.Any(_r)), Delivery.Normal),
    };

    private HostileRequest Oversized()
    {
        var gzip = _r.Next(2) == 0;
        return new(Pick(["POST", "PUT", "PATCH"]), $"/api/v1/namespaces/{Namespace}/pods" + (_r.Next(2) == 0 ? "/a" : ""),
            Pick(["application/json", "application/yaml", "application/merge-patch+json", "application/apply-patch+yaml"]),
            HostileBodies.Oversized(_r, gzip), Delivery.Normal, ContentEncoding: gzip ? "gzip" : null);
    }

    private string WriteQuery()
    {
        var query = new List<string>();
        if (_r.Next(5) == 0) query.Add("fieldValidation=" + Pick(["Strict", "Warn", "Ignore", "x"]));
        if (_r.Next(8) == 0) query.Add("dryRun=" + Pick(["All", "x"]));
        if (_r.Next(8) == 0) query.Add("fieldManager=" + Uri.EscapeDataString(Pick(["m", "", new string('m', 200)])));
        return query.Count == 0 ? "" : "?" + string.Join("&", query);
    }

    private T Pick<T>(T[] items) => items[_r.Next(items.Length)];
}
