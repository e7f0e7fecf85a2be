using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Api.Kinds.Secret;
using Navarch.Api.ServiceAccounts;
using Navarch.Client;
using Navarch.Client.Informers;
using Navarch.Client.Queue;

namespace Navarch.Controllers.ServiceAccounts;

/// <summary>
/// Upstream's token controller for legacy token Secrets: a Secret of type <c>kubernetes.io/service-account-token</c>
/// annotated <c>kubernetes.io/service-account.name</c> gets a token (signed with the controller manager's
/// <c>--service-account-private-key-file</c>, which the API server checks), <c>ca.crt</c> and <c>namespace</c>, and the
/// ServiceAccount's uid in <c>kubernetes.io/service-account.uid</c>; it is deleted when its ServiceAccount is (or when
/// it names a ServiceAccount that does not exist, or an older one of the same name).
/// </summary>
public sealed partial class TokensController : Controller, IControllerLoop
{
    private const string SecretKey = "secret|";
    private const string AccountKey = "account|";
    private readonly IKubernetes _client;
    private readonly Informer<V1Secret> _secrets;
    private readonly Informer<V1ServiceAccount> _accounts;
    private readonly Lazy<RSA> _key;
    private readonly byte[]? _rootCa;
    private readonly int _workers;
    private readonly ILogger _log;

    public TokensController(ControllerContext context, string privateKeyFile, string? rootCaPem)
        : base("serviceaccount-token-controller", context.Loggers.CreateLogger<TokensController>(), context.Time)
    {
        _client = context.Client;
        _workers = context.Options.ConcurrentSyncs;
        _log = context.Loggers.CreateLogger<TokensController>();
        _rootCa = rootCaPem is null ? null : Encoding.UTF8.GetBytes(rootCaPem);
        // Loaded on first need: the API server makes its key at start, maybe after this loop was built.
        _key = new(() =>
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(privateKeyFile));
            return rsa;
        }, LazyThreadSafetyMode.PublicationOnly);
        _secrets = context.Informers.For<V1Secret>();
        _accounts = context.Informers.For<V1ServiceAccount>();
        _secrets.AddHandlers(new EventHandlers<V1Secret>
        {
            OnAdd = s => { if (IsTokenSecret(s)) Queue.Add(SecretKey + ObjectKey.Of(s)); },
            OnUpdate = (_, s) => { if (IsTokenSecret(s)) Queue.Add(SecretKey + ObjectKey.Of(s)); },
        });
        _accounts.AddHandlers(new EventHandlers<V1ServiceAccount>
        {
            OnDelete = a => Queue.Add($"{AccountKey}{ObjectKey.Of(a)}|{a.Metadata.Uid}"),
        });
    }

    Task IControllerLoop.RunAsync(CancellationToken ct) => RunAsync(_workers, ct);

    protected override async Task WaitForCachesAsync(CancellationToken ct)
    {
        await _secrets.WaitForSyncAsync(ct);
        await _accounts.WaitForSyncAsync(ct);
    }

    protected override Task SyncAsync(string key, CancellationToken ct)
    {
        if (key.StartsWith(SecretKey, StringComparison.Ordinal)) return SyncSecretAsync(key[SecretKey.Length..], ct);
        var parts = key[AccountKey.Length..].Split('|');
        return DeleteSecretsOfAsync(parts[0], parts[1], ct);
    }

    private async Task SyncSecretAsync(string key, CancellationToken ct)
    {
        if (_secrets.Get(key) is not { } secret || !IsTokenSecret(secret) || secret.Metadata.DeletionTimestamp is not null) return;
        var ns = secret.Metadata.NamespaceProperty;
        var accountName = secret.Metadata.Annotations[SecretTypes.ServiceAccountNameAnnotation];
        var account = _accounts.Get(ns, accountName) ?? await LiveAccountAsync(ns, accountName, ct);
        var wantedUid = secret.Metadata.Annotations.TryGetValue(SecretTypes.ServiceAccountUidAnnotation, out var uid) ? uid : null;
        if (account is null || (!string.IsNullOrEmpty(wantedUid) && wantedUid != account.Metadata.Uid))
        {
            await DeleteSecretAsync(secret, ct);
            return;
        }
        if (Complete(secret, account)) return;
        secret = Endpoints.DeepCopy.Of(secret); // the informer's copy is shared

        var data = secret.Data is null ? new Dictionary<string, byte[]>() : new Dictionary<string, byte[]>(secret.Data);
        if (!data.ContainsKey(SecretTypes.ServiceAccountTokenKey))
        {
            var claims = ServiceAccountClaims.Legacy(ns, new ObjectRef(account.Metadata.Name, account.Metadata.Uid), secret.Metadata.Name);
            data[SecretTypes.ServiceAccountTokenKey] = Encoding.UTF8.GetBytes(JsonWebToken.Sign(claims, _key.Value, JsonWebToken.KeyId(_key.Value)));
        }
        if (_rootCa is not null) data[SecretTypes.ServiceAccountRootCaKey] = _rootCa;
        data[SecretTypes.ServiceAccountNamespaceKey] = Encoding.UTF8.GetBytes(ns);
        secret.Data = data;
        secret.Metadata.Annotations[SecretTypes.ServiceAccountUidAnnotation] = account.Metadata.Uid;
        try
        {
            await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, ns, cancellationToken: ct);
            LogFilled(ns, secret.Metadata.Name, account.Metadata.Name);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }

    /// <summary>Deletes the token Secrets of a deleted ServiceAccount (those naming it and its uid, or no uid yet).</summary>
    private async Task DeleteSecretsOfAsync(string accountKey, string accountUid, CancellationToken ct)
    {
        var (ns, name) = ObjectKey.Split(accountKey);
        foreach (var secret in _secrets.List(ns).Where(IsTokenSecret))
        {
            var annotations = secret.Metadata.Annotations;
            if (annotations[SecretTypes.ServiceAccountNameAnnotation] != name) continue;
            var uid = annotations.TryGetValue(SecretTypes.ServiceAccountUidAnnotation, out var u) ? u : "";
            if (uid.Length > 0 && uid != accountUid) continue;
            if (uid.Length == 0 && _accounts.Get(accountKey) is not null) continue; // the new account will fill it
            await DeleteSecretAsync(secret, ct);
        }
    }

    private async Task DeleteSecretAsync(V1Secret secret, CancellationToken ct)
    {
        try
        {
            await _client.CoreV1.DeleteNamespacedSecretAsync(secret.Metadata.Name, secret.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = secret.Metadata.Uid } }, cancellationToken: ct);
            LogDeleted(secret.Metadata.NamespaceProperty, secret.Metadata.Name);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
        {
        }
    }

    /// <summary>Upstream confirms a missing account with a live read before deleting a Secret for it.</summary>
    private async Task<V1ServiceAccount?> LiveAccountAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            return await _client.CoreV1.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: ct);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            return null;
        }
    }

    private bool Complete(V1Secret secret, V1ServiceAccount account) =>
        secret.Data is { } data && data.ContainsKey(SecretTypes.ServiceAccountTokenKey) && data.ContainsKey(SecretTypes.ServiceAccountNamespaceKey)
        && (_rootCa is null || data.ContainsKey(SecretTypes.ServiceAccountRootCaKey))
        && secret.Metadata.Annotations.TryGetValue(SecretTypes.ServiceAccountUidAnnotation, out var uid) && uid == account.Metadata.Uid;

    private static bool IsTokenSecret(V1Secret secret) =>
        secret.Type == SecretTypes.ServiceAccountToken && secret.Metadata.Annotations?.ContainsKey(SecretTypes.ServiceAccountNameAnnotation) == true;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "filled token secret {Namespace}/{Name} for service account {Account}")]
    private partial void LogFilled(string @namespace, string name, string account);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "deleted token secret {Namespace}/{Name}: its service account is gone")]
    private partial void LogDeleted(string @namespace, string name);
}
