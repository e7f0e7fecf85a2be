using System.Text.Json.Nodes;

namespace Navarch.Api.Tests.Patching;

/// <summary>Test shorthand: JSON written with single quotes so cases stay readable inline.</summary>
internal static class Json
{
    public static JsonNode Parse(string singleQuoted) => JsonNode.Parse(singleQuoted.Replace('\'', '"'))!;

    public static void Equal(string expectedSingleQuoted, JsonNode? actual)
    {
        var expected = Parse(expectedSingleQuoted);
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\n  actual {actual?.ToJsonString()}");
    }
}
