using System.Text;
using k8s.Models;

namespace Navarch.Agent.Pods;

/// <summary>
/// Builds the files of a pod's configMap, secret, downwardAPI and projected volumes from the objects they name, read
/// by name (<see cref="IReferencedObjects"/>), and the service account tokens they project. A projected volume is
/// its sources' files in order; every source's failure is reported, as upstream aggregates them.
/// </summary>
public sealed class VolumeContents(IReferencedObjects objects, ServiceAccountTokens tokens, NodeAllocatable node)
{
    /// <summary>Whether the volume's files come from the API (and so are written by <see cref="AtomicWriter"/>).</summary>
    public static bool IsProjection(V1Volume volume) =>
        volume.ConfigMap is not null || volume.Secret is not null || volume.DownwardAPI is not null || volume.Projected is not null;

    /// <summary>The volume's files; throws <see cref="VolumeException"/> with upstream's words when they cannot be made.</summary>
    public async Task<Dictionary<string, FileProjection>> BuildAsync(V1Pod pod, V1Volume volume, CancellationToken ct)
    {
        var ns = pod.Metadata.NamespaceProperty ?? "default";
        try
        {
            if (volume.ConfigMap is { } cm)
                return VolumePayloads.ConfigMap(cm.Name, cm.Items, cm.Optional == true, cm.DefaultMode, await objects.ConfigMapAsync(ns, cm.Name, ct));
            if (volume.Secret is { } secret)
                return VolumePayloads.Secret(secret.SecretName, secret.Items, secret.Optional == true, secret.DefaultMode, await objects.SecretAsync(ns, secret.SecretName, ct));
            if (volume.DownwardAPI is { } downward)
                return VolumePayloads.DownwardApi(downward.Items, downward.DefaultMode, pod, node);
        }
        catch (ObjectReadException e)
        {
            throw new VolumeException(e.Message);
        }
        if (volume.Projected is { } projected) return await ProjectedAsync(pod, ns, projected, ct);
        throw new VolumeException($"volume \"{volume.Name}\" is not made of API objects");
    }

    private async Task<Dictionary<string, FileProjection>> ProjectedAsync(V1Pod pod, string ns, V1ProjectedVolumeSource projected, CancellationToken ct)
    {
        var files = new Dictionary<string, FileProjection>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var source in projected.Sources ?? [])
        {
            try
            {
                var part = source switch
                {
                    { ConfigMap: { } cm } => VolumePayloads.ConfigMap(cm.Name, cm.Items, cm.Optional == true, projected.DefaultMode, await objects.ConfigMapAsync(ns, cm.Name, ct)),
                    { Secret: { } secret } => VolumePayloads.Secret(secret.Name, secret.Items, secret.Optional == true, projected.DefaultMode, await objects.SecretAsync(ns, secret.Name, ct)),
                    { DownwardAPI: { } downward } => VolumePayloads.DownwardApi(downward.Items, projected.DefaultMode, pod, node),
                    { ServiceAccountToken: { } token } => new Dictionary<string, FileProjection>
                    {
                        [token.Path] = new(Encoding.UTF8.GetBytes(await tokens.GetAsync(pod, token, ct)), VolumePayloads.ModeOf(null, projected.DefaultMode)),
                    },
                    // Sources this node does not project (clusterTrustBundle, podCertificate): nothing, as for an unknown kind.
                    _ => [],
                };
                foreach (var (path, file) in part) files[path] = file;
            }
            catch (Exception e) when (e is VolumeException or ObjectReadException)
            {
                errors.Add(e.Message);
            }
        }
        // Upstream's aggregate error: one message alone, several as "[a, b]".
        if (errors.Count == 1) throw new VolumeException(errors[0]);
        if (errors.Count > 1) throw new VolumeException($"[{string.Join(", ", errors)}]");
        return files;
    }
}
