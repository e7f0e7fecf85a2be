using Navarch.ApiServer.Http;
using Navarch.ApiServer.Registry;
using k8s.Models;

namespace Navarch.ApiServer.Authorization;

/// <summary>Upstream's 403: <c>pods "x" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"</c>.</summary>
public static class Forbidden
{
    public static string Message(RequestAttributes a)
    {
        var user = a.User.Name;
        if (!a.IsResourceRequest) return $"User \"{user}\" cannot {a.Verb} path \"{a.Path}\"";
        var scope = a.Namespace.Length > 0 ? $"in the namespace \"{a.Namespace}\"" : "at the cluster scope";
        return $"User \"{user}\" cannot {a.Verb} resource \"{a.ResourceWithSubresource}\" in API group \"{a.ApiGroup}\" {scope}";
    }

    public static ApiException Error(RequestAttributes a, string reason)
    {
        var detail = Message(a) + (reason.Length > 0 ? ": " + reason : "");
        var qualified = !a.IsResourceRequest ? "" : a.ApiGroup.Length == 0 ? a.Resource : $"{a.Resource}.{a.ApiGroup}";
        var message = qualified.Length == 0 ? $"forbidden: {detail}"
            : a.Name.Length == 0 ? $"{qualified} is forbidden: {detail}"
            : $"{qualified} \"{a.Name}\" is forbidden: {detail}";
        return new ApiException(403, "Forbidden", message, new V1StatusDetails
        {
            Name = a.Name.Length == 0 ? null : a.Name,
            Group = a.ApiGroup.Length == 0 ? null : a.ApiGroup,
            Kind = a.Resource.Length == 0 ? null : a.Resource,
        });
    }
}
