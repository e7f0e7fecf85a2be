using k8s;
using k8s.Models;

namespace Navarch.ApiServer.Registry;

/// <summary>The outcome of a write.</summary>
/// <param name="Object">The object as written (or as it stays, when the write changed nothing).</param>
/// <param name="Json">
/// <paramref name="Object"/> as clients see it (with kind, apiVersion and resourceVersion), taken from the very
/// bytes that were stored; null when there are none (dry run, deletion), and callers serialize the object.
/// </param>
/// <param name="Created">True when the write created the object.</param>
public sealed record WriteResult(IKubernetesObject<V1ObjectMeta> Object, byte[]? Json, bool Created);
