using Navarch.Api.Resources;

namespace Navarch.Api.Discovery;

/// <summary>
/// How upstream describes one subresource of a resource: the kind it speaks (which may live in
/// another group, like <c>autoscaling/v1 Scale</c> under <c>replicationcontrollers/scale</c>) and its verbs.
/// </summary>
public sealed record Subresource(string Name, GroupVersionKind Kind, IReadOnlyList<string> Verbs)
{
    private static readonly string[] StatusVerbs = ["get", "patch", "update"];

    /// <summary>Describes <paramref name="name"/> under <paramref name="owner"/> the way the v1.32 API server does.</summary>
    /// <exception cref="ArgumentException">The subresource is unknown to Navarch.</exception>
    public static Subresource Describe(ResourceType owner, string name)
    {
        GroupVersionKind Own(string kind) => new(owner.Group, owner.Version, kind);
        return name switch
        {
            "status" => new(name, Own(owner.Kind), StatusVerbs),
            "scale" => new(name, new GroupVersionKind("autoscaling", "v1", "Scale"), StatusVerbs),
            "binding" => new(name, Own("Binding"), ["create"]),
            "log" => new(name, Own(owner.Kind), ["get"]),
            "exec" => new(name, Own("PodExecOptions"), ["create", "get"]),
            "attach" => new(name, Own("PodAttachOptions"), ["create", "get"]),
            "portforward" => new(name, Own("PodPortForwardOptions"), ["create", "get"]),
            "finalize" => new(name, Own(owner.Kind), ["update"]),
            "token" => new(name, new GroupVersionKind("authentication.k8s.io", "v1", "TokenRequest"), ["create"]),
            "approval" => new(name, Own(owner.Kind), StatusVerbs),
            _ => throw new ArgumentException($"unknown subresource {owner.Plural}/{name}", nameof(name)),
        };
    }

    /// <summary>Every subresource of <paramref name="owner"/>, in catalog order.</summary>
    public static IEnumerable<Subresource> Of(ResourceType owner) => owner.Subresources.Select(s => Describe(owner, s));
}
