using Microsoft.AspNetCore.Http;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Authorization;

namespace Navarch.ApiServer.Filters;

/// <summary>
/// Upstream's RequestInfoFactory: turns a method and path into authorization attributes. It knows URL shapes, not
/// which resources exist, so a request for an unknown resource is authorized first and answered 404 after.
/// </summary>
public static class RequestAttributesParser
{
    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    public static RequestAttributes Parse(string method, string path, IQueryCollection query, UserInfo user)
    {
        var nonResource = new RequestAttributes(user, method.ToLowerInvariant(), false, path);
        var parts = path.Trim('/').Split('/');
        int i;
        string group, version;
        if (parts.Length >= 3 && parts[0] == "api") { group = ""; version = parts[1]; i = 2; }
        else if (parts.Length >= 4 && parts[0] == "apis") { group = parts[1]; version = parts[2]; i = 3; }
        else return nonResource;

        var watchPrefix = parts[i] == "watch";
        if (watchPrefix) i++;
        var rest = parts[i..];
        if (rest.Length == 0) return nonResource;

        var ns = "";
        if (rest[0] == "namespaces" && rest.Length > 1)
        {
            ns = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2])) rest = rest[2..];
        }
        var resource = rest[0];
        var name = rest.Length >= 2 ? rest[1] : "";
        var sub = rest.Length >= 3 ? rest[2] : "";
        // A list or watch narrowed to one name by metadata.name is authorized as that name, as upstream does.
        if (name.Length == 0 && method == "GET" && FieldSelectorName(query["fieldSelector"]) is { } selected) name = selected;

        var watching = watchPrefix || IsTrue(query["watch"]);
        var verb = method switch
        {
            "GET" or "HEAD" when watching => "watch",
            "GET" or "HEAD" => rest.Length >= 2 ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => rest.Length >= 2 ? "delete" : "deletecollection",
            _ => method.ToLowerInvariant(),
        };
        return new RequestAttributes(user, verb, true, path, group, version, resource, sub, ns, name);
    }

    private static bool IsTrue(string? value) => value is "true" or "1";

    private static string? FieldSelectorName(string? selector)
    {
        if (string.IsNullOrEmpty(selector)) return null;
        foreach (var term in selector.Split(','))
        {
            var t = term.Trim();
            if (t.StartsWith("metadata.name==", StringComparison.Ordinal)) return t["metadata.name==".Length..];
            if (t.StartsWith("metadata.name=", StringComparison.Ordinal)) return t["metadata.name=".Length..];
        }
        return null;
    }
}
