namespace Navarch.Api.Discovery;

/// <summary>A group/version/kind triple as OpenAPI's <c>x-kubernetes-group-version-kind</c> spells it.</summary>
/// <param name="Group">API group; "" for the core group.</param>
public sealed record GroupVersionKind(string Group, string Version, string Kind);
