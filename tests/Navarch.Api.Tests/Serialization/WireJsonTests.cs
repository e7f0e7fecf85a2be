using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Navarch.Api.Serialization;

namespace Navarch.Api.Tests.Serialization;

/// <summary>Upstream's two time types on the wire: metav1.Time in whole seconds, metav1.MicroTime with six digits.</summary>
[Trait("Category", "Unit")]
public sealed class WireJsonTests
{
    private static readonly DateTime WholeSecond = new(2026, 12, 7, 19, 7, 21, DateTimeKind.Utc);
    private static readonly DateTime WithMicros = WholeSecond.AddTicks(1_234_560);

    /// <summary>Every upstream MicroTime field: the model, its time set on a whole second, and the JSON path to it.</summary>
    public static TheoryData<string, object, string> MicroTimes => new()
    {
        { "Lease renewTime", new V1LeaseSpec { RenewTime = WholeSecond }, "renewTime" },
        { "Lease acquireTime", new V1LeaseSpec { AcquireTime = WholeSecond }, "acquireTime" },
        { "LeaseCandidate v1beta1 renewTime", new V1beta1LeaseCandidateSpec { RenewTime = WholeSecond }, "renewTime" },
        { "LeaseCandidate v1beta1 pingTime", new V1beta1LeaseCandidateSpec { PingTime = WholeSecond }, "pingTime" },
        { "LeaseCandidate v1alpha2 renewTime", new V1alpha2LeaseCandidateSpec { RenewTime = WholeSecond }, "renewTime" },
        { "LeaseCandidate v1alpha2 pingTime", new V1alpha2LeaseCandidateSpec { PingTime = WholeSecond }, "pingTime" },
        { "core Event eventTime", new Corev1Event { EventTime = WholeSecond }, "eventTime" },
        { "core EventSeries lastObservedTime", new Corev1EventSeries { LastObservedTime = WholeSecond }, "lastObservedTime" },
        { "events.k8s.io Event eventTime", new Eventsv1Event { EventTime = WholeSecond }, "eventTime" },
        { "events.k8s.io EventSeries lastObservedTime", new Eventsv1EventSeries { LastObservedTime = WholeSecond }, "lastObservedTime" },
    };

    [Theory]
    [MemberData(nameof(MicroTimes))]
    public void MicroTime_fields_always_carry_six_fractional_digits(string field, object model, string property)
    {
        var json = JsonNode.Parse(WireJson.Serialize(model))!;
        Assert.True("2026-12-07T19:07:21.000000Z" == (string?)json[property], $"{field}: {json.ToJsonString()}");
    }

    [Fact]
    public void MicroTime_keeps_microseconds_and_drops_what_is_finer()
    {
        var lease = new V1LeaseSpec { RenewTime = WithMicros.AddTicks(7) };
        Assert.Equal("2026-12-07T19:07:21.123456Z", (string?)JsonNode.Parse(WireJson.Serialize(lease))!["renewTime"]);
    }

    [Fact]
    public void Time_fields_carry_whole_seconds()
    {
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "n", CreationTimestamp = WithMicros },
            Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "Ready", Status = "True", LastHeartbeatTime = WithMicros, LastTransitionTime = WholeSecond }] },
        };
        var json = JsonNode.Parse(WireJson.Serialize(node))!;
        Assert.Equal("2026-12-07T19:07:21Z", (string?)json["metadata"]!["creationTimestamp"]);
        Assert.Equal("2026-12-07T19:07:21Z", (string?)json["status"]!["conditions"]![0]!["lastHeartbeatTime"]);
        Assert.Equal("2026-12-07T19:07:21Z", (string?)json["status"]!["conditions"]![0]!["lastTransitionTime"]);
    }

    [Fact]
    public void A_Lease_reads_back_what_any_client_wrote()
    {
        foreach (var written in new[] { "2026-12-07T19:07:21Z", "2026-12-07T19:07:21.000000Z", "2026-12-07T20:07:21+01:00", "2026-12-07T19:07:21.000000000Z" })
        {
            var lease = KubernetesJson.Deserialize<V1Lease>("{\"spec\":{\"renewTime\":\"" + written + "\"}}");
            var rewritten = JsonNode.Parse(WireJson.Serialize(lease))!["spec"]!["renewTime"];
            Assert.True("2026-12-07T19:07:21.000000Z" == (string?)rewritten, $"{written} came back as {rewritten}");
        }
    }

    [Fact]
    public void Absent_times_stay_absent()
    {
        Assert.Equal("{}", WireJson.Serialize(new V1LeaseSpec()));
        Assert.Equal("""{"spec":{}}""", WireJson.Serialize(System.Text.Json.JsonSerializer.Deserialize<V1Lease>("""{"spec":{"renewTime":null}}""", WireJson.Options)!));
    }
}
