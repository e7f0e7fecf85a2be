using System.Text.Json.Nodes;
using k8s.Models;
using Navarch.Api.Schema;

namespace Navarch.Api.Tests.Schema;

public class QuantityTextTests
{
    [Fact]
    public void Numbers_become_their_text_and_strings_stay()
    {
        var status = JsonNode.Parse("""{"capacity":{"cpu":9223372036854775808,"memory":"1Gi","pods":110}}""")!;

        NullElements.Replace(status, typeof(V1NodeStatus));

        Assert.Equal("""{"capacity":{"cpu":"9223372036854775808","memory":"1Gi","pods":"110"}}""", status.ToJsonString());
    }

    [Theory]
    [InlineData("""{"capacity":{"cpu":-9223372036854775808}}""")]
    [InlineData("""{"capacity":{"cpu":"-1"}}""")]
    [InlineData("""{"allocatable":{"cpu":true}}""")]
    public void Negative_or_non_scalar_quantities_are_refused_before_decoding(string json)
    {
        Assert.Throws<FormatException>(() => NullElements.Replace(JsonNode.Parse(json)!, typeof(V1NodeStatus)));
    }

    [Fact]
    public void A_quantity_property_is_checked_too()
    {
        var volume = JsonNode.Parse("""{"sizeLimit":"-5Mi"}""")!;

        Assert.Throws<FormatException>(() => NullElements.Replace(volume, typeof(V1EmptyDirVolumeSource)));
    }
}
