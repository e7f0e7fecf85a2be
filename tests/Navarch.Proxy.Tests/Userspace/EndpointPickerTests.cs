using System.Net;
using Microsoft.Extensions.Time.Testing;
using Navarch.Proxy.Userspace;

namespace Navarch.Proxy.Tests.Userspace;

[Trait("Category", "Unit")]
public sealed class EndpointPickerTests
{
    private static readonly IPEndPoint A = new(IPAddress.Loopback, 9001);
    private static readonly IPEndPoint B = new(IPAddress.Loopback, 9002);
    private static readonly IPEndPoint C = new(IPAddress.Loopback, 9003);
    private static readonly IPAddress Client1 = IPAddress.Parse("127.0.0.11");
    private static readonly IPAddress Client2 = IPAddress.Parse("127.0.0.12");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2015, 7, 1, 0, 0, 0, TimeSpan.Zero));

    internal static ServicePort Port(bool affinity = false, int affinitySeconds = 60) =>
        new("default", "web", "", "TCP", IPAddress.Parse("10.96.0.10"), 80, 0, affinity, affinitySeconds, false, []);

    private EndpointPicker Picker(bool affinity = false, int affinitySeconds = 60, params IPEndPoint[] endpoints)
    {
        var picker = new EndpointPicker(Port(affinity, affinitySeconds), _time);
        picker.Update(endpoints);
        return picker;
    }

    private static IPEndPoint Next(EndpointPicker picker, IPAddress client)
    {
        Assert.True(picker.TryNext(client, out var endpoint), "the picker has endpoints");
        return endpoint;
    }

    [Fact]
    public void Without_endpoints_there_is_nothing_to_pick()
    {
        var picker = Picker();
        Assert.False(picker.TryNext(Client1, out var endpoint));
        Assert.Null(endpoint);
        Assert.False(picker.TryNextAfterFailure(Client1, A, out _));
    }

    [Fact]
    public void Endpoints_take_turns_in_order()
    {
        var picker = Picker(endpoints: [A, B, C]);
        var picks = Enumerable.Range(0, 7).Select(_ => Next(picker, Client1)).ToArray();
        Assert.Equal([A, B, C, A, B, C, A], picks);
    }

    [Fact]
    public void Duplicate_endpoints_count_once()
    {
        var picker = Picker(endpoints: [A, B, new IPEndPoint(IPAddress.Loopback, 9001)]);
        Assert.Equal([A, B], picker.Endpoints);
        Assert.Equal([A, B, A], Enumerable.Range(0, 3).Select(_ => Next(picker, Client1)));
    }

    [Fact]
    public void Without_affinity_one_client_is_spread_too()
    {
        var picker = Picker(affinity: false, endpoints: [A, B]);
        Assert.Equal([A, B, A], Enumerable.Range(0, 3).Select(_ => Next(picker, Client1)));
        Assert.Equal(0, picker.AffinityCount);
    }

    [Fact]
    public void With_affinity_a_client_sticks_and_others_still_rotate()
    {
        var picker = Picker(affinity: true, endpoints: [A, B, C]);
        Assert.Equal(A, Next(picker, Client1));
        Assert.Equal(B, Next(picker, Client2));
        Assert.Equal(A, Next(picker, Client1));
        Assert.Equal(B, Next(picker, Client2));
        Assert.Equal(C, Next(picker, IPAddress.Parse("127.0.0.13")));
    }

    [Fact]
    public void Affinity_expires_after_the_timeout()
    {
        var picker = Picker(affinity: true, affinitySeconds: 60, endpoints: [A, B]);
        Assert.Equal(A, Next(picker, Client1));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(A, Next(picker, Client1));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(B, Next(picker, Client1));
    }

    [Fact]
    public void Each_use_restarts_the_affinity_timeout()
    {
        var picker = Picker(affinity: true, affinitySeconds: 60, endpoints: [A, B]);
        Assert.Equal(A, Next(picker, Client1));
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(50));
            Assert.Equal(A, Next(picker, Client1));
        }
    }

    [Fact]
    public void A_zero_timeout_means_upstreams_three_hours()
    {
        var picker = Picker(affinity: true, affinitySeconds: 0, endpoints: [A, B]);
        Assert.Equal(TimeSpan.FromHours(3), picker.AffinityTimeout);
        Assert.Equal(A, Next(picker, Client1));
        _time.Advance(TimeSpan.FromSeconds(10799));
        Assert.Equal(A, Next(picker, Client1));
        _time.Advance(TimeSpan.FromSeconds(10800));
        Assert.Equal(B, Next(picker, Client1));
    }

    [Fact]
    public void Expired_affinity_entries_are_swept()
    {
        var picker = Picker(affinity: true, affinitySeconds: 30, endpoints: [A, B]);
        for (var i = 1; i <= 20; i++) Next(picker, IPAddress.Parse($"127.0.1.{i}"));
        Assert.Equal(20, picker.AffinityCount);

        _time.Advance(TimeSpan.FromSeconds(30));
        Next(picker, Client1);

        Assert.Equal(1, picker.AffinityCount);
    }

    [Fact]
    public void Affinity_to_a_removed_endpoint_is_dropped_for_good()
    {
        var picker = Picker(affinity: true, endpoints: [A, B, C]);
        Assert.Equal(A, Next(picker, Client1));
        Assert.Equal(B, Next(picker, Client2));

        picker.Update([B, C]);
        Assert.Equal(1, picker.AffinityCount);
        Assert.Equal(B, Next(picker, Client2));
        var moved = Next(picker, Client1);
        Assert.Contains(moved, new[] { B, C });

        picker.Update([A, B, C]);
        Assert.Equal(moved, Next(picker, Client1));
    }

    [Fact]
    public void An_update_keeps_the_endpoint_that_was_due_next()
    {
        var picker = Picker(endpoints: [A, B, C]);
        Assert.Equal(A, Next(picker, Client1));

        picker.Update([C, B]);

        Assert.Equal([B, C, B], Enumerable.Range(0, 3).Select(_ => Next(picker, Client1)));
    }

    [Fact]
    public void An_update_that_removes_the_next_endpoint_stays_in_range()
    {
        var picker = Picker(endpoints: [A, B, C]);
        Next(picker, Client1);
        Next(picker, Client1);

        picker.Update([A]);
        Assert.Equal(A, Next(picker, Client1));

        picker.Update([]);
        Assert.False(picker.TryNext(Client1, out _));

        picker.Update([B, C]);
        Assert.Equal([B, C], Enumerable.Range(0, 2).Select(_ => Next(picker, Client1)));
    }

    [Fact]
    public void After_a_failure_the_next_endpoint_is_another_one_and_becomes_the_affinity()
    {
        var picker = Picker(affinity: true, endpoints: [A, B, C]);
        Assert.Equal(A, Next(picker, Client1));

        // Another client took B meanwhile, so the retry for client 1 gets C, which then sticks.
        Assert.Equal(B, Next(picker, Client2));
        Assert.True(picker.TryNextAfterFailure(Client1, A, out var retry));
        Assert.Equal(C, retry);
        Assert.Equal(C, Next(picker, Client1));

        Assert.True(picker.TryNextAfterFailure(Client1, A, out var skipped));
        Assert.Equal(B, skipped); // A is due next but is the one that failed
    }

    [Fact]
    public void After_a_failure_with_one_endpoint_that_endpoint_is_tried_again()
    {
        var picker = Picker(endpoints: [A]);
        Assert.True(picker.TryNextAfterFailure(Client1, A, out var retry));
        Assert.Equal(A, retry);
    }

    [Fact]
    public async Task Concurrent_picks_share_the_endpoints_evenly()
    {
        var picker = Picker(endpoints: [A, B, C]);
        var counts = new int[3];
        const int perWorker = 3000;
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var client = IPAddress.Parse($"127.0.0.{20 + w}");
            for (var i = 0; i < perWorker; i++)
            {
                var endpoint = Next(picker, client);
                Interlocked.Increment(ref counts[endpoint.Port - 9001]);
            }
        }));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([4000, 4000, 4000], counts);
    }
}
