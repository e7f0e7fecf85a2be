using System.Collections.Concurrent;
using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>
/// A pod's volumes made of API objects (configMap, secret, downwardAPI, projected), written under
/// <c>ROOT/UID/kubernetes.io~KIND/NAME</c> by <see cref="AtomicWriter"/>: set up before the pod's containers start,
/// then written again on each refresh, in place, when their content changed (the containers see the new files; their
/// environment never changes). Hollow nodes (no root) read and write nothing.
/// </summary>
public sealed class ProjectedVolumes(string root, VolumeContents contents, ServiceAccountTokens tokens, TimeProvider time)
{
    // Pods whose volumes were all written once; guarded by the pod sync's one-worker-per-pod rule.
    private readonly ConcurrentDictionary<string, bool> _setUp = new(StringComparer.Ordinal);

    /// <summary>Whether this node writes these volumes at all (false for hollow nodes).</summary>
    public bool Enabled => root.Length > 0;

    /// <summary>Whether the pod has any volume made of API objects.</summary>
    public static bool Has(V1Pod pod) => pod.Spec?.Volumes?.Any(VolumeContents.IsProjection) == true;

    /// <summary>Whether every such volume of the pod was written once (its containers may start).</summary>
    public bool IsSetUp(V1Pod pod) => !Enabled || !Has(pod) || _setUp.ContainsKey(pod.Metadata.Uid);

    /// <summary>
    /// Writes every such volume of the pod whose content changed. The volumes that can be made are written even when
    /// another fails; then throws <see cref="VolumeException"/> for the first that failed.
    /// </summary>
    public async Task SetUpAsync(V1Pod pod, CancellationToken ct)
    {
        if (!Enabled || !Has(pod)) return;
        VolumeException? failed = null;
        foreach (var volume in pod.Spec.Volumes.Where(VolumeContents.IsProjection))
        {
            try
            {
                var files = await contents.BuildAsync(pod, volume, ct);
                new AtomicWriter(PodVolumes.PathOf(root, pod.Metadata.Uid, volume), time).Write(files);
            }
            catch (VolumeException e)
            {
                failed ??= new VolumeException(e.Message, volume.Name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed ??= new VolumeException(e.Message, volume.Name);
            }
        }
        if (failed is not null) throw failed;
        _setUp[pod.Metadata.Uid] = true;
    }

    /// <summary>Forgets a pod that is gone (its files go with the pod's directory).</summary>
    public void Forget(string podUid)
    {
        _setUp.TryRemove(podUid, out _);
        tokens.Forget(podUid);
    }
}
