using k8s;

namespace Navarch.Controllers.Endpoints;

/// <summary>Copies an API object through JSON, for changing an object that an informer's cache shares.</summary>
internal static class DeepCopy
{
    public static T Of<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));
}
