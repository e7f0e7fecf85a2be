using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using Navarch.Api.Patching;

namespace Navarch.Client;

/// <summary>
/// A kubeconfig's current context read into a client configuration: the server, its CA, and a client certificate or
/// token (inline data or files, paths relative to the file). Read through Navarch's own YAML reader because the client
/// library's loader deserializes by reflection, which fails in the natively compiled agent.
/// </summary>
public static class KubeconfigFile
{
    /// <summary>Throws <see cref="InvalidDataException"/> naming what the file lacks.</summary>
    public static KubernetesClientConfiguration Read(string path)
    {
        JsonObject root;
        try { root = ApplyBody.Parse(File.ReadAllText(path)); }
        catch (Exception e) when (e is not IOException and not UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path} is not a kubeconfig: {e.Message}");
        }
        var contextName = Text(root, "current-context") ?? throw new InvalidDataException($"{path} names no current-context");
        var context = Named(root, "contexts", "context", contextName, path);
        var cluster = Named(root, "clusters", "cluster", Text(context, "cluster") ?? "", path);
        var user = Named(root, "users", "user", Text(context, "user") ?? "", path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Resolve(string file) => Path.IsPathRooted(file) ? file : Path.Combine(directory, file);

        var config = new KubernetesClientConfiguration
        {
            Host = Text(cluster, "server") ?? throw new InvalidDataException($"{path}: cluster of context \"{contextName}\" names no server"),
            Namespace = Text(context, "namespace"),
            SkipTlsVerify = cluster["insecure-skip-tls-verify"] is JsonValue skip && skip.TryGetValue<bool>(out var yes) && yes,
            AccessToken = Text(user, "token"),
            ClientCertificateData = Text(user, "client-certificate-data"),
            ClientCertificateKeyData = Text(user, "client-key-data"),
        };
        if (Text(user, "client-certificate") is { } certFile) config.ClientCertificateFilePath = Resolve(certFile);
        if (Text(user, "client-key") is { } keyFile) config.ClientKeyFilePath = Resolve(keyFile);
        var caPem = Text(cluster, "certificate-authority-data") is { } data ? Encoding.ASCII.GetString(Convert.FromBase64String(data))
            : Text(cluster, "certificate-authority") is { } caFile ? File.ReadAllText(Resolve(caFile)) : null;
        if (caPem is not null)
        {
            var cas = new X509Certificate2Collection();
            cas.ImportFromPem(caPem);
            config.SslCaCerts = cas;
        }
        return config;
    }

    private static string? Text(JsonObject obj, string key) => obj[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    // The entry of list `listKey` named `name`, and in it the object under `inner`.
    private static JsonObject Named(JsonObject root, string listKey, string inner, string name, string path) =>
        (root[listKey] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(e => Text(e, "name") == name)?[inner] as JsonObject
        ?? throw new InvalidDataException($"{path}: no {inner} named \"{name}\"");
}
