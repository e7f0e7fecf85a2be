using Navarch.ApiServer.Authentication;

namespace Navarch.ApiServer.Authorization;

/// <summary>
/// What a request asks to do, as upstream's <c>authorizer.Attributes</c>: a verb on a resource (group, resource,
/// subresource, namespace, name) or, for anything outside /api and /apis resources, a verb on a path.
/// </summary>
public sealed record RequestAttributes(
    UserInfo User,
    string Verb,
    bool IsResourceRequest,
    string Path,
    string ApiGroup = "",
    string ApiVersion = "",
    string Resource = "",
    string Subresource = "",
    string Namespace = "",
    string Name = "")
{
    /// <summary><c>pods</c>, or <c>pods/log</c> with a subresource, as the forbidden message names it.</summary>
    public string ResourceWithSubresource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";
}
