using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Printing;
using Navarch.Api.Resources;
using Navarch.Api.Validation;

namespace Navarch.Api.Kinds.ConfigMap;

/// <summary>v1 ConfigMap: valid keys, no key in both data and binaryData, at most 1 MiB, frozen when immutable.</summary>
public sealed class ConfigMapKind() : KindDefinition<V1ConfigMap>(ResourceType.Create<V1ConfigMap>(
    "", "v1", "ConfigMap", "configmaps", namespaced: true, shortNames: ["cm"]))
{
    internal override RowPrinter Printer { get; } = new ConfigMapRowPrinter();

    protected override void Validate(V1ConfigMap cm, List<FieldError> errors)
    {
        MetadataValidator.ValidateObjectMeta(cm.Metadata, namespaced: true, NameRules.DnsSubdomain, "metadata", errors);
        var data = cm.Data ?? new Dictionary<string, string>();
        var binary = cm.BinaryData ?? new Dictionary<string, byte[]>();
        ConfigDataRules.ValidateKeys(data.Keys, "data", errors);
        ConfigDataRules.ValidateKeys(binary.Keys, "binaryData", errors);
        foreach (var key in binary.Keys.Where(data.ContainsKey).Order(StringComparer.Ordinal))
            errors.Add(FieldError.Invalid($"data[{key}]", key, "duplicate of key present in binaryData"));
        long size = data.Sum(p => (long)p.Key.Length + ValueFormats.ByteLength(p.Value ?? ""))
            + binary.Sum(p => (long)p.Key.Length + (p.Value?.Length ?? 0));
        if (size > ConfigDataRules.MaxSize) errors.Add(FieldError.TooLong("", ConfigDataRules.MaxSize));
    }

    protected override void ValidateUpdate(V1ConfigMap cm, V1ConfigMap old, List<FieldError> errors) =>
        ConfigDataRules.ValidateImmutable(cm.Immutable, old.Immutable, errors, ("data", cm.Data, old.Data), ("binaryData", cm.BinaryData, old.BinaryData));
}

/// <summary>ConfigMaps: NAME DATA AGE (DATA counts data and binaryData keys).</summary>
internal sealed class ConfigMapRowPrinter : RowPrinter
{
    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        TableColumn.ObjectName,
        TableColumn.Text("Data", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
        TableColumn.Age,
    ];

    public override IReadOnlyList<JsonNode?> Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now)
    {
        var cm = (V1ConfigMap)obj;
        return [Cell(cm.Metadata?.Name), Cell((cm.Data?.Count ?? 0) + (cm.BinaryData?.Count ?? 0)), Cell(Age(cm, now))];
    }
}
