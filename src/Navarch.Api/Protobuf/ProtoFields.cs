using Navarch.Api.Discovery;

namespace Navarch.Api.Protobuf;

/// <summary>The field numbers of the API types' protobuf messages (from <see cref="Table"/>), looked up by model type.</summary>
internal static partial class ProtoFields
{
    private static readonly Lazy<Dictionary<string, Dictionary<int, string>>> Messages = new(() =>
        Table!.ToDictionary(
            e => e.Message,
            e => e.Fields.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(f => f.Split(':'))
                .ToDictionary(p => int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture), p => p[1])));

    /// <summary>The JSON property names by field number of the message a model type encodes as; null when unknown.</summary>
    public static IReadOnlyDictionary<int, string>? Of(Type model) =>
        Messages.Value.GetValueOrDefault(SchemaNames.For(model, "io.k8s.api.core.v1"));
}
