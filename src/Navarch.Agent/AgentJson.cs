using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace Navarch.Agent;

/// <summary>
/// JSON metadata, generated at build time, for the types the agent and its proxy read and write. The native agent
/// (Native AOT) has no reflection-based serialisation to fall back on, and KubernetesJson's own generated context
/// lacks the watch-event wrappers (<c>Watcher&lt;T&gt;.WatchEvent</c>) every informer reads. Put in front of the
/// library's resolver, this context answers for these types; any other type still falls through to it. Same options
/// as the library's context, so the JSON is the same.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [typeof(KubernetesJson.Iso8601TimeSpanConverter), typeof(KubernetesJson.KubernetesDateTimeConverter), typeof(KubernetesJson.KubernetesDateTimeOffsetConverter)])]
[JsonSerializable(typeof(Watcher<KubernetesObject>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Status>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Pod>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Service>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1EndpointSlice>.WatchEvent))]
[JsonSerializable(typeof(V1PodList))]
[JsonSerializable(typeof(V1ServiceList))]
[JsonSerializable(typeof(V1EndpointSliceList))]
[JsonSerializable(typeof(V1Node))]
[JsonSerializable(typeof(V1Lease))]
[JsonSerializable(typeof(Corev1Event))]
[JsonSerializable(typeof(V1Status))]
[JsonSerializable(typeof(V1DeleteOptions))]
[JsonSerializable(typeof(V1Patch))]
[JsonSerializable(typeof(V1TokenReview))]
[JsonSerializable(typeof(V1SubjectAccessReview))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1CertificateSigningRequest))]
[JsonSerializable(typeof(Watcher<V1CertificateSigningRequest>.WatchEvent))]
[JsonSerializable(typeof(V1CertificateSigningRequestList))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;

/// <summary>Puts <see cref="AgentJsonContext"/> in front of KubernetesJson's resolver.</summary>
public static class AgentJson
{
    /// <summary>
    /// Installs the agent's context; false when KubernetesJson was already used in this process (its options are then
    /// read-only), which only costs memory. Call it before the agent makes its first request.
    /// </summary>
    public static bool Install()
    {
        try
        {
            KubernetesJson.AddJsonOptions(options =>
                options.TypeInfoResolver = JsonTypeInfoResolver.Combine(AgentJsonContext.Default, options.TypeInfoResolver));
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
