using System.Text;
using k8s;
using k8s.Models;
using Navarch.Api.Resources;

namespace Navarch.ApiServer.Storage;

/// <summary>
/// Turns objects into store values and back. Values are JSON without <c>metadata.resourceVersion</c>:
/// the revision of the store entry is the resource version, set on decode.
/// </summary>
public static class ObjectCodec
{
    public static byte[] Encode(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj)
    {
        var rv = obj.Metadata.ResourceVersion;
        obj.Metadata.ResourceVersion = null;
        obj.ApiVersion = rt.ApiVersion;
        obj.Kind = rt.Kind;
        try
        {
            return Encoding.UTF8.GetBytes(KubernetesJson.Serialize(obj));
        }
        finally
        {
            obj.Metadata.ResourceVersion = rv;
        }
    }

    public static IKubernetesObject<V1ObjectMeta> Decode(ResourceType rt, ReadOnlySpan<byte> value, long revision)
    {
        var obj = rt.Decode(Encoding.UTF8.GetString(value));
        obj.Metadata ??= new V1ObjectMeta();
        obj.Metadata.ResourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        obj.ApiVersion = rt.ApiVersion;
        obj.Kind = rt.Kind;
        return obj;
    }

    /// <summary>A deep copy, for handlers that change an object the watch cache shares.</summary>
    public static IKubernetesObject<V1ObjectMeta> Clone(ResourceType rt, IKubernetesObject<V1ObjectMeta> obj) =>
        rt.Decode(KubernetesJson.Serialize(obj));
}
