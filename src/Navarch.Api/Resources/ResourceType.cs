using k8s;
using k8s.Models;

namespace Navarch.Api.Resources;

/// <summary>One kind of object the API serves: its names, scope, CLR model and how to decode it.</summary>
public sealed class ResourceType
{
    private readonly Func<string, IKubernetesObject<V1ObjectMeta>> _decode;

    private ResourceType(
        string group, string version, string kind, string plural, string singular, bool namespaced,
        Type clrType, Func<string, IKubernetesObject<V1ObjectMeta>> decode,
        IReadOnlyList<string> shortNames, IReadOnlyList<string> categories, IReadOnlyList<string> subresources)
    {
        Group = group;
        Version = version;
        Kind = kind;
        Plural = plural;
        Singular = singular;
        Namespaced = namespaced;
        ClrType = clrType;
        _decode = decode;
        ShortNames = shortNames;
        Categories = categories;
        Subresources = subresources;
    }

    /// <summary>API group; "" for the core group.</summary>
    public string Group { get; }
    public string Version { get; }
    public string Kind { get; }
    public string ListKind => Kind + "List";
    /// <summary>The lower-case plural used in URLs (<c>replicationcontrollers</c>).</summary>
    public string Plural { get; }
    public string Singular { get; }
    public bool Namespaced { get; }
    /// <summary>The KubernetesClient model, e.g. <c>V1Pod</c>.</summary>
    public Type ClrType { get; }
    public IReadOnlyList<string> ShortNames { get; }
    /// <summary>Discovery categories, e.g. "all" (what <c>kubectl get all</c> lists).</summary>
    public IReadOnlyList<string> Categories { get; }
    /// <summary>Subresource names served under an object: "status", "scale", "binding", "log", "exec", "attach", "portforward".</summary>
    public IReadOnlyList<string> Subresources { get; }

    /// <summary>The kind's behaviour (defaults, validation, printing, ...); set by the definition that owns this type.</summary>
    public Kinds.KindDefinition Definition
    {
        get => _definition ?? throw new InvalidOperationException($"{this} has no kind definition");
        internal set => _definition = value;
    }

    private Kinds.KindDefinition? _definition;

    /// <summary>"v1" for the core group, else "group/version".</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The verbs every resource here supports.</summary>
    public static IReadOnlyList<string> Verbs { get; } =
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>Decodes JSON into the model; throws <see cref="System.Text.Json.JsonException"/> on malformed input.</summary>
    public IKubernetesObject<V1ObjectMeta> Decode(string json) => _decode(json);

    public bool HasSubresource(string name) => Subresources.Contains(name);

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public static ResourceType Create<T>(
        string group, string version, string kind, string plural, bool namespaced,
        string[]? shortNames = null, string[]? categories = null, string[]? subresources = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
        => new(group, version, kind, plural, kind.ToLowerInvariant(), namespaced, typeof(T),
            json => KubernetesJson.Deserialize<T>(json) ?? throw new System.Text.Json.JsonException("empty object"),
            shortNames ?? [], categories ?? [], subresources ?? []);
}
