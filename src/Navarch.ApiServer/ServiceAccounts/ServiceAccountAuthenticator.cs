using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Navarch.Api.Kinds.Secret;
using Navarch.Api.Resources;
using Navarch.Api.ServiceAccounts;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Storage;
using Navarch.ApiServer.Watching;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// ServiceAccount tokens (upstream's serviceaccount authenticator): after <see cref="TokenVerifier"/>'s checks, the
/// ServiceAccount must still exist with the uid the token names, and so must the Pod, Secret or Node it is bound to
/// (a pod being deleted for more than a minute no longer counts, as upstream); a legacy token must still be the one
/// its Secret holds. Objects are read from the watch cache, as upstream reads its informers.
/// </summary>
public sealed class ServiceAccountAuthenticator(ServiceAccountTokens tokens, WatchCache cache, TimeProvider time) : IAuthenticator
{
    /// <summary>How long a token bound to a pod outlives the start of the pod's deletion (upstream's grace).</summary>
    public static readonly TimeSpan DeletedPodGrace = TimeSpan.FromSeconds(60);

    public const string PodNameExtra = "authentication.kubernetes.io/pod-name";
    public const string PodUidExtra = "authentication.kubernetes.io/pod-uid";
    public const string NodeNameExtra = "authentication.kubernetes.io/node-name";
    public const string NodeUidExtra = "authentication.kubernetes.io/node-uid";
    public const string CredentialIdExtra = "authentication.kubernetes.io/credential-id";

    public ValueTask<AuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken ct) =>
        ValueTask.FromResult(BearerToken.From(context.Request) is { } token ? Authenticate(token) : AuthenticationResult.NotApplicable);

    public AuthenticationResult Authenticate(string token, IReadOnlyList<string>? audiences = null) => AuthenticateFor(token, audiences).Result;

    /// <summary>
    /// As <see cref="Authenticate"/>, also naming the audiences the token is good for among <paramref name="audiences"/>
    /// (the API's when null): upstream's response audiences, which TokenReview returns. A legacy token has none of its
    /// own and counts for the API's.
    /// </summary>
    public (AuthenticationResult Result, IReadOnlyList<string> Audiences) AuthenticateFor(string token, IReadOnlyList<string>? audiences)
    {
        var now = time.GetUtcNow();
        var check = tokens.Verifier.Check(token, now, audiences);
        if (!check.Applies) return (AuthenticationResult.NotApplicable, []);
        if (check.Token is not { } sa) return (AuthenticationResult.Failure(check.Error!), []);
        var problem = sa.IsLegacy ? CheckLegacy(sa, token) : CheckBound(sa, now);
        if (problem is not null) return (AuthenticationResult.Failure(problem), []);
        var wanted = audiences is { Count: > 0 } ? audiences : tokens.ApiAudiences;
        var own = sa.Audiences.Count > 0 ? sa.Audiences : tokens.ApiAudiences;
        return (AuthenticationResult.Success(User(sa)), own.Intersect(wanted).ToList());
    }

    private string? CheckBound(ServiceAccountToken sa, DateTimeOffset now)
    {
        if (CheckServiceAccount(sa) is { } saProblem) return saProblem;
        if (sa.Pod is { } podRef)
        {
            if (Get(ResourceCatalog.Pods, sa.Namespace, podRef.Name) is not { } pod) return $"pods \"{podRef.Name}\" not found";
            if (pod.Metadata.Uid != podRef.Uid) return Invalidated("pod", podRef, pod);
            if (pod.Metadata.DeletionTimestamp is { } deleted && deleted < now.UtcDateTime - DeletedPodGrace)
                return "token is bound to a pod that is being deleted";
        }
        if (sa.Secret is { } secretRef)
        {
            if (Get(ResourceCatalog.Secrets, sa.Namespace, secretRef.Name) is not { } secret) return $"secrets \"{secretRef.Name}\" not found";
            if (secret.Metadata.Uid != secretRef.Uid) return Invalidated("secret", secretRef, secret);
            if (secret.Metadata.DeletionTimestamp is not null) return "token is bound to a secret that is being deleted";
        }
        if (sa.Node is { } nodeRef)
        {
            if (Get(ResourceCatalog.Nodes, null, nodeRef.Name) is not { } node) return $"nodes \"{nodeRef.Name}\" not found";
            if (node.Metadata.Uid != nodeRef.Uid) return Invalidated("node", nodeRef, node);
        }
        return null;
    }

    /// <summary>Upstream's legacy validator: the Secret must exist, name the ServiceAccount, and still hold this token.</summary>
    private string? CheckLegacy(ServiceAccountToken sa, string token)
    {
        if (Get(ResourceCatalog.Secrets, sa.Namespace, sa.LegacySecretName!) is not V1Secret secret) return $"secrets \"{sa.LegacySecretName}\" not found";
        if (secret.Metadata.DeletionTimestamp is not null) return "token secret is being deleted";
        if (secret.Metadata.Annotations is not { } annotations || !annotations.TryGetValue(SecretTypes.ServiceAccountNameAnnotation, out var named) || named != sa.Name)
            return "token secret names another service account";
        byte[]? held = null;
        secret.Data?.TryGetValue(SecretTypes.ServiceAccountTokenKey, out held);
        if (held is null || !CryptographicOperations.FixedTimeEquals(held, Encoding.UTF8.GetBytes(token)))
            return "token does not match server's copy";
        return CheckServiceAccount(sa);
    }

    private string? CheckServiceAccount(ServiceAccountToken sa)
    {
        if (Get(ResourceCatalog.ServiceAccounts, sa.Namespace, sa.Name) is not { } account) return $"serviceaccounts \"{sa.Name}\" not found";
        if (sa.Uid.Length > 0 && account.Metadata.Uid != sa.Uid) return Invalidated("service account", new ObjectRef(sa.Name, sa.Uid), account);
        if (account.Metadata.DeletionTimestamp is not null) return "service account is being deleted";
        return null;
    }

    private static string Invalidated(string what, ObjectRef wanted, IKubernetesObject<V1ObjectMeta> found) =>
        $"{what} UID ({found.Metadata.Uid}) does not match claim ({wanted.Uid})";

    private IKubernetesObject<V1ObjectMeta>? Get(ResourceType rt, string? ns, string name) =>
        cache.For(rt).Get(ObjectKeys.For(rt, ns, name))?.Object;

    private static UserInfo User(ServiceAccountToken sa)
    {
        var extra = new Dictionary<string, IReadOnlyList<string>>();
        if (sa.Pod is { } pod)
        {
            extra[PodNameExtra] = [pod.Name];
            extra[PodUidExtra] = [pod.Uid];
        }
        if (sa.Node is { } node)
        {
            extra[NodeNameExtra] = [node.Name];
            extra[NodeUidExtra] = [node.Uid];
        }
        if (sa.Jti is { Length: > 0 } jti) extra[CredentialIdExtra] = [$"JTI={jti}"];
        return new UserInfo(ServiceAccountClaims.UserName(sa.Namespace, sa.Name), ServiceAccountClaims.Groups(sa.Namespace), sa.Uid,
            extra.Count == 0 ? null : extra);
    }
}
