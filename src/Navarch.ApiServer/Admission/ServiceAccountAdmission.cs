using k8s.Models;
using Navarch.Api.Naming;
using Navarch.Api.Resources;

namespace Navarch.ApiServer.Admission;

/// <summary>
/// Upstream's ServiceAccount plugin, on pod creation: a pod without a service account gets <c>default</c>; a pod naming
/// one that does not exist is refused; unless the pod or its service account turn <c>automountServiceAccountToken</c>
/// off, the pod gets the projected volume <c>kube-api-access-XXXXX</c> (a bound token, the cluster CA, the namespace)
/// mounted read-only at <see cref="MountPath"/> in every container and init container. Mirror pods are left alone.
/// A server without a secure port (<paramref name="mountTokens"/> false) has no cluster CA to put in the volume and
/// no TLS endpoint a token could be used on: its pods get their account's name but no volume.
/// </summary>
public sealed class ServiceAccountAdmission(IServiceAccountSource accounts, bool mountTokens = true) : IMutatingAdmission
{
    public const string DefaultName = "default";
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    public const string VolumePrefix = "kube-api-access-";
    /// <summary>Upstream's token lifetime in the volume: an hour and a few seconds, so a kubelet can tell it was not asked for.</summary>
    public const long TokenExpirationSeconds = 3607;
    private const string MirrorAnnotation = "kubernetes.io/config.mirror";

    public string Name => AdmissionPluginNames.ServiceAccount;

    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Create;

    public async Task AdmitAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (!a.IsMain(ResourceCatalog.Pods) || a.Object is not V1Pod pod) return;
        if (pod.Metadata.Annotations?.ContainsKey(MirrorAnnotation) == true) return;
        var spec = pod.Spec;
        var name = !string.IsNullOrEmpty(spec.ServiceAccountName) ? spec.ServiceAccountName
            : !string.IsNullOrEmpty(spec.ServiceAccount) ? spec.ServiceAccount : DefaultName;
        spec.ServiceAccountName = name;
        spec.ServiceAccount = name;

        var account = await accounts.FindAsync(a.Namespace, name, ct);
        switch (account.State)
        {
            case ServiceAccountState.KindNotServed:
                // Nothing to look up and no token to mount: this server does not serve ServiceAccounts.
                return;
            case ServiceAccountState.Missing:
                throw a.Forbidden($"error looking up service account {a.Namespace}/{name}: serviceaccount \"{name}\" not found");
        }
        if (mountTokens && (spec.AutomountServiceAccountToken ?? account.Automount ?? true) && !HasTokenVolume(spec)) Mount(spec);
    }

    private static bool HasTokenVolume(V1PodSpec spec) =>
        spec.Volumes?.Any(v => v.Name.StartsWith(VolumePrefix, StringComparison.Ordinal) && v.Projected is not null) == true;

    private static void Mount(V1PodSpec spec)
    {
        var taken = spec.Volumes?.Select(v => v.Name).ToHashSet() ?? [];
        string volumeName;
        do volumeName = NameGenerator.Generate(VolumePrefix); while (taken.Contains(volumeName));
        spec.Volumes ??= [];
        spec.Volumes.Add(TokenVolume(volumeName));
        foreach (var container in (spec.InitContainers ?? []).Concat(spec.Containers ?? []))
        {
            // A container that mounts something at the path already keeps it, as upstream.
            if (container.VolumeMounts?.Any(m => m.MountPath == MountPath) == true) continue;
            container.VolumeMounts ??= [];
            container.VolumeMounts.Add(new V1VolumeMount { Name = volumeName, MountPath = MountPath, ReadOnlyProperty = true });
        }
    }

    /// <summary>Upstream's token volume: token, the cluster CA from <c>kube-root-ca.crt</c>, the namespace from the downward API.</summary>
    public static V1Volume TokenVolume(string name) => new()
    {
        Name = name,
        Projected = new V1ProjectedVolumeSource
        {
            DefaultMode = 420,
            Sources =
            [
                new V1VolumeProjection { ServiceAccountToken = new V1ServiceAccountTokenProjection { ExpirationSeconds = TokenExpirationSeconds, Path = "token" } },
                new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = "kube-root-ca.crt", Items = [new V1KeyToPath { Key = "ca.crt", Path = "ca.crt" }] } },
                new V1VolumeProjection
                {
                    DownwardAPI = new V1DownwardAPIProjection
                    {
                        Items = [new V1DownwardAPIVolumeFile { Path = "namespace", FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.namespace" } }],
                    },
                },
            ],
        },
    };
}

public enum ServiceAccountState { Found, Missing, KindNotServed }

/// <param name="Automount">The account's <c>automountServiceAccountToken</c>, when it sets one.</param>
public sealed record ServiceAccountInfo(ServiceAccountState State, bool? Automount = null);

/// <summary>Where the ServiceAccount plugin looks accounts up.</summary>
public interface IServiceAccountSource
{
    Task<ServiceAccountInfo> FindAsync(string ns, string name, CancellationToken ct);
}

/// <summary>
/// Accounts from the watch cache. Tolerates a server that does not serve the ServiceAccount kind (yet): then every
/// lookup answers <see cref="ServiceAccountState.KindNotServed"/> and pods get their account's name but no token volume.
/// </summary>
public sealed class CachedServiceAccounts(ObjectLookup lookup) : IServiceAccountSource
{
    private static readonly ResourceType? Kind = ResourceCatalog.FindByKind("v1", "ServiceAccount");
    private const int DefaultAttempts = 10;

    public async Task<ServiceAccountInfo> FindAsync(string ns, string name, CancellationToken ct)
    {
        if (Kind is null) return new ServiceAccountInfo(ServiceAccountState.KindNotServed);
        // A miss waits for the cache to catch up: a namespace's default account is made by a controller just after
        // the namespace, and pods often follow at once.
        var found = await lookup.GetAsync(Kind, ns, name, ct);
        // As upstream's plugin: the default account, which the ServiceAccount controller makes just after its
        // namespace, is looked for up to ten times, 100-200 ms apart.
        for (var attempt = 1; found is null && name == ServiceAccountAdmission.DefaultName && attempt < DefaultAttempts; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100 + Random.Shared.Next(100)), ct);
            found = await lookup.GetFreshAsync(Kind, ns, name, ct);
        }
        return found?.Object is V1ServiceAccount account
            ? new ServiceAccountInfo(ServiceAccountState.Found, account.AutomountServiceAccountToken)
            : new ServiceAccountInfo(ServiceAccountState.Missing);
    }
}
