using System.Globalization;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.Api.Discovery;

/// <summary>
/// The REST paths and operations the API server offers for each catalog resource, named the way
/// upstream's OpenAPI names them (e.g. <c>patchCoreV1NamespacedPod</c>). Both OpenAPI documents render this.
/// </summary>
public static class ApiPaths
{
    /// <summary>The paths of one group/version ("" for core), in catalog order; empty when it is not served.</summary>
    public static IReadOnlyList<ApiPath> For(string group, string version) =>
        [.. ResourceCatalog.All.Where(r => r.Group == group && r.Version == version).SelectMany(Of)];

    /// <summary>Every path of every served group/version.</summary>
    public static IReadOnlyList<ApiPath> All() => [.. ResourceCatalog.All.SelectMany(Of)];

    /// <summary>The URL prefix of a group/version: <c>/api/v1</c> or <c>/apis/g/v</c>.</summary>
    public static string Prefix(string group, string version) => group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";

    /// <summary>The collection path, item path, all-namespaces list path and subresource paths of one resource.</summary>
    public static IEnumerable<ApiPath> Of(ResourceType type)
    {
        var names = new OperationNames(type);
        var gvk = new GroupVersionKind(type.Group, type.Version, type.Kind);
        var listType = ListType(type);
        var scope = type.Namespaced ? new[] { ApiParameters.Namespace, ApiParameters.Pretty } : [ApiParameters.Pretty];
        var itemScope = new[] { ApiParameters.Name }.Concat(scope).ToArray();
        var collection = Prefix(type.Group, type.Version) + (type.Namespaced ? "/namespaces/{namespace}/" : "/") + type.Plural;
        var item = collection + "/{name}";
        ApiOperation Op(string method, string action, string id, string description, IReadOnlyList<ApiParameter> parameters,
            Type? body, Type? response, GroupVersionKind? kind = null) =>
            new(method, action, id, description, kind ?? gvk, parameters, body, response) { Tag = names.Tag };

        yield return new ApiPath(collection, scope,
        [
            Op("get", "list", names.Id("list"), $"list or watch objects of kind {type.Kind}", ApiParameters.List, null, listType),
            Op("post", "post", names.Id("create"), $"create a {type.Kind}", ApiParameters.Write, type.ClrType, type.ClrType),
            Op("delete", "deletecollection", names.Id("delete", collection: true), $"delete collection of {type.Kind}",
                ApiParameters.DeleteCollection, typeof(V1DeleteOptions), typeof(V1Status)),
        ]);
        yield return new ApiPath(item, itemScope,
        [
            Op("get", "get", names.Id("read"), $"read the specified {type.Kind}", [], null, type.ClrType),
            Op("put", "put", names.Id("replace"), $"replace the specified {type.Kind}", ApiParameters.Write, type.ClrType, type.ClrType),
            Op("patch", "patch", names.Id("patch"), $"partially update the specified {type.Kind}", ApiParameters.Patch, typeof(V1Patch), type.ClrType),
            Op("delete", "delete", names.Id("delete"), $"delete a {type.Kind}", ApiParameters.Delete, typeof(V1DeleteOptions), type.ClrType),
        ]);
        if (type.Namespaced)
        {
            yield return new ApiPath(Prefix(type.Group, type.Version) + "/" + type.Plural, [ApiParameters.Pretty],
                [Op("get", "list", names.ForAllNamespaces(), $"list or watch objects of kind {type.Kind}", ApiParameters.List, null, listType)]);
        }
        foreach (var sub in Subresource.Of(type))
        {
            yield return new ApiPath($"{item}/{sub.Name}", itemScope, [.. SubresourceOperations(type, sub, names, Op)]);
        }
    }

    private delegate ApiOperation OperationFactory(string method, string action, string id, string description,
        IReadOnlyList<ApiParameter> parameters, Type? body, Type? response, GroupVersionKind? kind = null);

    private static IEnumerable<ApiOperation> SubresourceOperations(ResourceType type, Subresource sub, OperationNames names, OperationFactory op)
    {
        var suffix = Title(sub.Name);
        switch (sub.Name)
        {
            case "status":
            case "scale":
                var model = sub.Name == "scale" ? typeof(V1Scale) : type.ClrType;
                var what = $"{sub.Name} of the specified {type.Kind}";
                yield return op("get", "get", names.Id("read", suffix), $"read {what}", [], null, model, sub.Kind);
                yield return op("put", "put", names.Id("replace", suffix), $"replace {what}", ApiParameters.Write, model, model, sub.Kind);
                yield return op("patch", "patch", names.Id("patch", suffix), $"partially update {what}", ApiParameters.Patch, typeof(V1Patch), model, sub.Kind);
                break;
            case "binding":
                yield return op("post", "post", names.Id("create", suffix), "create binding of a Pod", ApiParameters.Write,
                    typeof(V1Binding), typeof(V1Binding), sub.Kind);
                break;
            case "log":
                yield return op("get", "get", names.Id("read", suffix), $"read log of the specified {type.Kind}", ApiParameters.Log, null, null, sub.Kind);
                break;
            case "exec" or "attach" or "portforward":
                var parameters = sub.Name switch { "exec" => ApiParameters.Exec, "attach" => ApiParameters.Attach, _ => ApiParameters.PortForward };
                yield return op("get", "connect", names.Connect("Get", suffix), $"connect GET requests to {sub.Name} of {type.Kind}", parameters, null, null, sub.Kind);
                yield return op("post", "connect", names.Connect("Post", suffix), $"connect POST requests to {sub.Name} of {type.Kind}", parameters, null, null, sub.Kind);
                break;
            case "token":
                yield return op("post", "post", names.Id("create", suffix), $"create token of a {type.Kind}", ApiParameters.Write,
                    typeof(Authenticationv1TokenRequest), typeof(Authenticationv1TokenRequest), sub.Kind);
                break;
            case "finalize":
                yield return op("put", "put", names.Id("replace", suffix), $"replace finalize of the specified {type.Kind}",
                    ApiParameters.Write, type.ClrType, type.ClrType, sub.Kind);
                break;
        }
    }

    /// <summary>The KubernetesClient list model beside a kind's model (V1Pod → V1PodList).</summary>
    internal static Type? ListType(ResourceType type) =>
        type.ClrType.Assembly.GetType(type.ClrType.FullName + "List");

    private static string Title(string word) =>
        word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];

    /// <summary>Builds upstream operation ids: verb + group + version + scope + kind + subresource.</summary>
    private sealed class OperationNames(ResourceType type)
    {
        private readonly string _groupVersion = GroupTitle(type.Group) + Title(type.Version);
        private readonly string _scope = type.Namespaced ? "Namespaced" : "";

        /// <summary>"core_v1", "coordination_v1".</summary>
        public string Tag { get; } = $"{GroupTitle(type.Group).ToLowerInvariant()}_{type.Version}";

        public string Id(string verb, string subresource = "", bool collection = false) =>
            $"{verb}{_groupVersion}{(collection ? "Collection" : "")}{_scope}{type.Kind}{subresource}";

        public string ForAllNamespaces() => $"list{_groupVersion}{type.Kind}ForAllNamespaces";

        public string Connect(string method, string subresource) => $"connect{_groupVersion}{method}{_scope}{type.Kind}{subresource}";

        private static string GroupTitle(string group) =>
            group.Length == 0 ? "Core" : Title(group.Split('.')[0].ToLower(CultureInfo.InvariantCulture));
    }
}
