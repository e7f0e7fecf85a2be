using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Kinds.ConfigMap;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.Secret;

/// <summary>
/// v1 Secret: type Opaque by default, stringData merged into data on write (and never stored), the keys each
/// type requires, valid keys, at most 1 MiB, a fixed type and data frozen when immutable.
/// </summary>
public sealed class SecretKind() : KindDefinition<V1Secret>(ResourceType.Create<V1Secret>(
    "", "v1", "Secret", "secrets", namespaced: true))
{
    internal override RowPrinter Printer { get; } = new SecretRowPrinter();

    public override IReadOnlyList<string> SelectableFields { get; } = ["metadata.name", "metadata.namespace", "type"];

    protected override string? FieldValue(V1Secret secret, string field) => field == "type" ? secret.Type ?? "" : null;

    /// <summary>SetDefaults_Secret, and the v1 conversion that writes stringData over data.</summary>
    protected override void Default(V1Secret secret)
    {
        if (string.IsNullOrEmpty(secret.Type)) secret.Type = SecretTypes.Opaque;
        if (secret.StringData is { Count: > 0 } strings)
        {
            secret.Data ??= new Dictionary<string, byte[]>();
            foreach (var (key, value) in strings) secret.Data[key] = Encoding.UTF8.GetBytes(value ?? "");
        }
        secret.StringData = null;
    }

    protected override void Validate(V1Secret secret, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(secret.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        ConfigDataRules.ValidateKeys(data.Keys, "data", errors);
        if (data.Sum(p => (long)(p.Value?.Length ?? 0)) > ConfigDataRules.MaxSize)
            errors.Add(FieldError.TooLong("data", ConfigDataRules.MaxSize));
        SecretTypes.Validate(secret, errors);
    }

    protected override void ValidateUpdate(V1Secret secret, V1Secret old, List<FieldError> errors)
    {
        if ((secret.Type ?? "") != (old.Type ?? ""))
            errors.Add(FieldError.Invalid("type", secret.Type, "field is immutable"));
        ConfigDataRules.ValidateImmutable(secret.Immutable, old.Immutable, errors, ("data", secret.Data, old.Data));
    }
}

/// <summary>Secrets: NAME TYPE DATA AGE (the number of keys; never a value).</summary>
internal sealed class SecretRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Type", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
        TableColumn.Text("Data", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
        TableColumn.Age,
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var secret = (V1Secret)obj;
        return [Cell(secret.Metadata?.Name), Cell(secret.Type), Cell(secret.Data?.Count ?? 0), Cell(Age(secret, now))];
    }
}
