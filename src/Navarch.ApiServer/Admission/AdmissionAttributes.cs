using k8s;
using k8s.Models;
using Navarch.Api.Resources;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Admission;

/// <summary>The registry's operations, as upstream's <c>admission.Operation</c> (CONNECT requests are not admitted here).</summary>
public enum AdmissionOperation { Create, Update, Delete }

/// <summary>
/// Who asks for a write, carried from the HTTP edge in <see cref="WriteOptions.Admission"/>. The server's own writes
/// (default namespaces, bootstrap policy, the kubernetes endpoints) carry none and skip admission: they are known to be
/// admissible, and the namespaces they write into may not exist yet.
/// </summary>
/// <param name="User">The authenticated user.</param>
/// <param name="Subresource">The subresource of the URL ("" for the object itself): "status", "scale", "binding", …</param>
/// <param name="Warn">Adds one warning to the response (a <c>Warning: 299</c> header), also when the request then fails.</param>
public sealed record AdmissionRequest(UserInfo User, string Subresource, Action<string> Warn);

/// <summary>
/// What admission plugins see of a write, as upstream's <c>admission.Attributes</c>: the operation, the resource, the
/// new object (decoded and defaulted; mutating plugins may change it) and the old one (updates and deletes).
/// </summary>
public sealed class AdmissionAttributes(
    AdmissionOperation operation, ResourceType resource, string? ns, string name,
    IKubernetesObject<V1ObjectMeta>? obj, IKubernetesObject<V1ObjectMeta>? old, AdmissionRequest request, bool dryRun)
{
    public AdmissionOperation Operation { get; } = operation;
    public ResourceType Resource { get; } = resource;
    public string Subresource => Request.Subresource;
    /// <summary>The namespace; "" for cluster-scoped resources.</summary>
    public string Namespace { get; } = ns ?? "";
    /// <summary>The object's name (its generateName on a create that generates one).</summary>
    public string Name { get; } = name;
    /// <summary>The new object: null on delete.</summary>
    public IKubernetesObject<V1ObjectMeta>? Object { get; } = obj;
    /// <summary>The current object: null on create. May be the watch cache's shared copy: never change it.</summary>
    public IKubernetesObject<V1ObjectMeta>? OldObject { get; } = old;
    public AdmissionRequest Request { get; } = request;
    public UserInfo User => Request.User;
    public bool DryRun { get; } = dryRun;

    /// <summary>True for the object itself of <paramref name="rt"/> (no subresource).</summary>
    public bool IsMain(ResourceType rt) => Resource == rt && Subresource.Length == 0;

    /// <summary>
    /// Upstream's <c>admission.NewForbidden</c>: 403 <c>pods "x" is forbidden: REASON</c> (<c>deployments.apps "x"</c>
    /// for other groups; no name when there is none).
    /// </summary>
    public ApiException Forbidden(string reason)
    {
        var qualified = Resource.Group.Length == 0 ? Resource.Plural : $"{Resource.Plural}.{Resource.Group}";
        var message = Name.Length == 0 ? $"{qualified} is forbidden: {reason}" : $"{qualified} \"{Name}\" is forbidden: {reason}";
        return new ApiException(403, "Forbidden", message, new V1StatusDetails
        {
            Name = Name.Length == 0 ? null : Name,
            Group = Resource.Group.Length == 0 ? null : Resource.Group,
            Kind = Resource.Plural,
        });
    }
}
