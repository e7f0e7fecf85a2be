using System.Text.Json;
using k8s.Models;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Secret;

/// <summary>The built-in secret types and the keys each requires (upstream's ValidateSecret switch).</summary>
public static class SecretTypes
{
    public const string Opaque = "Opaque";
    public const string ServiceAccountToken = "kubernetes.io/service-account-token";
    public const string DockerConfig = "kubernetes.io/dockercfg";
    public const string DockerConfigJson = "kubernetes.io/dockerconfigjson";
    public const string BasicAuth = "kubernetes.io/basic-auth";
    public const string SshAuth = "kubernetes.io/ssh-auth";
    public const string Tls = "kubernetes.io/tls";
    public const string ServiceAccountNameAnnotation = "kubernetes.io/service-account.name";
    public const string ServiceAccountUidAnnotation = "kubernetes.io/service-account.uid";

    /// <summary>The keys of a service-account-token Secret's data, which the token controller fills.</summary>
    public const string ServiceAccountTokenKey = "token";
    public const string ServiceAccountRootCaKey = "ca.crt";
    public const string ServiceAccountNamespaceKey = "namespace";

    public static void Validate(V1Secret secret, List<FieldError> errors)
    {
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        void Require(string key)
        {
            if (!data.ContainsKey(key)) errors.Add(FieldError.Required($"data[{key}]"));
        }
        switch (secret.Type)
        {
            case ServiceAccountToken:
                if (secret.Metadata?.Annotations?.ContainsKey(ServiceAccountNameAnnotation) != true)
                    errors.Add(FieldError.Required($"metadata.annotations[{ServiceAccountNameAnnotation}]"));
                break;
            case DockerConfig:
                Require(".dockercfg");
                RequireJson(data, ".dockercfg", errors);
                break;
            case DockerConfigJson:
                Require(".dockerconfigjson");
                RequireJson(data, ".dockerconfigjson", errors);
                break;
            case BasicAuth:
                if (!data.ContainsKey("username") && !data.ContainsKey("password"))
                {
                    errors.Add(FieldError.Required("data[username]"));
                    errors.Add(FieldError.Required("data[password]"));
                }
                break;
            case SshAuth:
                Require("ssh-privatekey");
                break;
            case Tls:
                Require("tls.key");
                Require("tls.crt");
                break;
        }
    }

    private static void RequireJson(IDictionary<string, byte[]> data, string key, List<FieldError> errors)
    {
        if (!data.TryGetValue(key, out var bytes)) return;
        try
        {
            using var _ = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            // Upstream never echoes the secret: the value is redacted in the message.
            errors.Add(FieldError.Invalid($"data[{key}]", "<secret contents redacted>", e.Message));
        }
    }
}
