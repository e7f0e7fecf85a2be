using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Navarch.Proxy.Userspace;
using Navarch.Testing;

namespace Navarch.Proxy.Tests.Userspace;

/// <summary>
/// The relay against "pods" that are loopback listeners on 127.0.0.1 (several ports); clients connect to the relay's
/// port on 127.0.0.1 too. Nothing leaves 127.0.0.0/8 and nothing touches iptables.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TcpRelayTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    // Tests that are not about dial timeouts use generous ones: on a busy machine upstream's 250 ms first dial can
    // time out even on loopback, and the retry would move the rotation on.
    private static readonly IReadOnlyList<TimeSpan> GenerousDials = [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)];

    // A short first dial (the black hole always gets it) and a generous second one for the live backend.
    private static readonly IReadOnlyList<TimeSpan> ShortThenLongDial = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10)];

    private readonly RecordingLogger _log = new();

    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly List<Socket> _clients = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var item in Enumerable.Reverse(_cleanup)) await item.DisposeAsync();
    }

    [Fact]
    public async Task Connections_take_turns_across_the_backends()
    {
        var backends = new[] { "A", "B", "C" }.Select(name => Track(Backend.Start(Serve.Greet(name)))).ToArray();
        var relay = StartRelay(Picker(backends.Select(b => b.EndPoint).ToArray()));

        var served = new List<string>();
        for (var i = 0; i < 9; i++)
            served.Add(await GreetingAsync(await ConnectAsync(relay)));

        Assert.True(served.Order().SequenceEqual(["A", "A", "A", "B", "B", "B", "C", "C", "C"]),
            $"each backend serves three of nine connections; served {string.Join(",", served)}; relay log:\n{_log}");
    }

    [Fact]
    public async Task Client_ip_affinity_sticks_until_it_expires()
    {
        var time = new FakeTimeProvider();
        var a = Track(Backend.Start(Serve.Greet("A")));
        var b = Track(Backend.Start(Serve.Greet("B")));
        var picker = new EndpointPicker(EndpointPickerTests.Port(affinity: true, affinitySeconds: 60), time);
        picker.Update([a.EndPoint, b.EndPoint]);
        var relay = StartRelay(picker);

        Assert.Equal("A", await GreetingAsync(await ConnectAsync(relay)));
        Assert.Equal("A", await GreetingAsync(await ConnectAsync(relay)));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("A", await GreetingAsync(await ConnectAsync(relay)));

        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("B", await GreetingAsync(await ConnectAsync(relay)));
        Assert.Equal("B", await GreetingAsync(await ConnectAsync(relay)));

        // Another client address (still loopback) has no affinity yet and takes the next turn.
        Assert.Equal("A", await GreetingAsync(await ConnectAsync(relay, from: IPAddress.Parse("127.0.0.2"))));
        Assert.Equal("B", await GreetingAsync(await ConnectAsync(relay)));
    }

    [Fact]
    public async Task A_large_payload_arrives_intact_both_ways()
    {
        var echo = Track(Backend.Start(Serve.Echo));
        var relay = StartRelay(Picker(echo.EndPoint));
        var payload = RandomBytes(4 * 1024 * 1024);

        var client = await ConnectAsync(relay);
        using var stream = new NetworkStream(client, ownsSocket: false);
        var sending = Task.Run(async () =>
        {
            await stream.WriteAsync(payload);
            client.Shutdown(SocketShutdown.Send);
        });
        var echoed = new byte[payload.Length];
        await Within(stream.ReadExactlyAsync(echoed).AsTask(), "reading the 4 MiB echo");
        await Within(sending, "sending 4 MiB");

        Assert.True(payload.AsSpan().SequenceEqual(echoed), "the echo equals what was sent");
        Assert.Equal(0, await Within(stream.ReadAsync(new byte[1]).AsTask(), "reading the end after the echo"));
        await Poll.UntilAsync("relay closes the finished connection", () => relay.OpenConnections == 0, Bound);
    }

    [Fact]
    public async Task A_client_that_shuts_down_its_sending_side_still_reads_the_whole_reply()
    {
        var backend = Track(Backend.Start(Serve.ReplyAfterEnd));
        var relay = StartRelay(Picker(backend.EndPoint));
        var request = RandomBytes(1024 * 1024);

        var client = await ConnectAsync(relay);
        using var stream = new NetworkStream(client, ownsSocket: false);
        await Within(stream.WriteAsync(request).AsTask(), "sending the request");
        client.Shutdown(SocketShutdown.Send);

        var reply = new MemoryStream();
        await Within(stream.CopyToAsync(reply), "reading the reply to its end");
        Assert.True(request.AsSpan().SequenceEqual(reply.ToArray()), "the reply is the whole request, sent after it ended");
        await Poll.UntilAsync("relay closes the finished connection", () => relay.OpenConnections == 0, Bound);
    }

    [Fact]
    public async Task A_backend_that_shuts_down_its_sending_side_still_receives_from_the_client()
    {
        var heard = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var backend = Track(Backend.Start(Serve.SpeakFirstThenListen("hello", heard)));
        var relay = StartRelay(Picker(backend.EndPoint));

        var client = await ConnectAsync(relay);
        using var stream = new NetworkStream(client, ownsSocket: false);
        var greeting = new MemoryStream();
        await Within(stream.CopyToAsync(greeting), "reading the backend's words to their end");
        Assert.Equal("hello", Encoding.ASCII.GetString(greeting.ToArray()));

        await Within(stream.WriteAsync("world"u8.ToArray()).AsTask(), "answering after the backend's end");
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("world", await Within(heard.Task, "the backend hearing the answer"));
    }

    [Fact]
    public async Task A_dead_endpoint_is_skipped_for_the_next_one()
    {
        var live = Track(Backend.Start(Serve.Greet("live")));
        var relay = StartRelay(Picker(DeadEndpoint(), live.EndPoint));

        for (var i = 0; i < 4; i++)
            Assert.Equal("live", await GreetingAsync(await ConnectAsync(relay)));
        Assert.True(_log.Count(eventId: 1) >= 2, $"dial failures are logged; relay log:\n{_log}");
    }

    [Fact]
    public async Task A_dial_that_times_out_moves_on_to_the_next_endpoint()
    {
        var hole = Track(BlackHole.Start());
        var live = Track(Backend.Start(Serve.Greet("live")));
        var relay = StartRelay(Picker(hole.EndPoint, live.EndPoint), ShortThenLongDial);

        Assert.Equal("live", await GreetingAsync(await ConnectAsync(relay)));
        Assert.Equal("live", await GreetingAsync(await ConnectAsync(relay)));
    }

    [Fact]
    public async Task A_connection_that_cannot_be_dialed_is_closed_within_upstreams_dial_schedule()
    {
        var hole = Track(BlackHole.Start());
        var relay = Track(TcpRelay.Start(IPAddress.Loopback, 0, Picker(hole.EndPoint), _log));

        var clock = Stopwatch.StartNew();
        var client = await ConnectAsync(relay);
        await AssertClosedAsync(client, "the undialable connection being closed");

        // 250 ms + 500 ms + 1 s + 2 s of dialing, then the reset; the bound leaves room for a busy machine.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10));
        await Poll.UntilAsync("the connection no longer counted", () => relay.OpenConnections == 0, Bound);
    }

    [Fact]
    public async Task Without_endpoints_the_client_connection_is_closed()
    {
        var relay = StartRelay(Picker());

        try
        {
            await AssertClosedAsync(await ConnectAsync(relay), "the connection without endpoints being closed");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // The reset came so fast that it already failed the connect: closed all the same.
        }
        await Poll.UntilAsync("the connection no longer counted", () => relay.OpenConnections == 0, Bound);
    }

    [Fact]
    public async Task An_update_sends_new_connections_to_the_new_backends_and_keeps_open_ones()
    {
        var a = Track(Backend.Start(Serve.Greet("A")));
        var b = Track(Backend.Start(Serve.Greet("B")));
        var picker = Picker(a.EndPoint);
        var relay = StartRelay(picker);

        var early = await ConnectAsync(relay);
        Assert.Equal("A", await GreetingAsync(early, close: false));

        picker.Update([b.EndPoint]);
        Assert.Equal("B", await GreetingAsync(await ConnectAsync(relay)));
        Assert.Equal("B", await GreetingAsync(await ConnectAsync(relay)));

        Assert.Equal("still A", await EchoAsync(early, "still A"));
    }

    [Fact]
    public async Task Dispose_closes_open_connections_and_stops_accepting()
    {
        var backend = Track(Backend.Start(Serve.Greet("A")));
        var relay = StartRelay(Picker(backend.EndPoint));
        var port = relay.Port;

        var open = new[] { await ConnectAsync(relay), await ConnectAsync(relay) };
        foreach (var client in open) Assert.Equal("A", await GreetingAsync(client, close: false));
        Assert.Equal(2, relay.OpenConnections);

        await Within(relay.DisposeAsync().AsTask(), "disposing the relay");

        Assert.Equal(0, relay.OpenConnections);
        foreach (var client in open) await AssertClosedAsync(client, "an open connection being closed by dispose");
        await Poll.UntilAsync("the backend's side of both connections closed", () => backend.Ended == 2, Bound);
        var refused = await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    // --- helpers ---

    private T Track<T>(T item) where T : IAsyncDisposable
    {
        _cleanup.Add(item);
        return item;
    }

    private static EndpointPicker Picker(params IPEndPoint[] endpoints)
    {
        var picker = new EndpointPicker(EndpointPickerTests.Port());
        picker.Update(endpoints);
        return picker;
    }

    private TcpRelay StartRelay(EndpointPicker picker, IReadOnlyList<TimeSpan>? dialTimeouts = null) =>
        Track(TcpRelay.Start(IPAddress.Loopback, 0, picker, _log, dialTimeouts ?? GenerousDials));

    private Task<Socket> ConnectAsync(TcpRelay relay, IPAddress? from = null) => ConnectAsync(relay.Port, from);

    private async Task<Socket> ConnectAsync(int port, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _clients.Add(socket);
        if (from is not null) socket.Bind(new IPEndPoint(from, 0));
        await Within(socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)), $"connecting to port {port}");
        return socket;
    }

    /// <summary>Reads the greeting line of a <see cref="Serve.Greet"/> backend, then (by default) ends the connection.</summary>
    private static async Task<string> GreetingAsync(Socket client, bool close = true)
    {
        using var stream = new NetworkStream(client, ownsSocket: false);
        var line = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            var read = await Within(stream.ReadAsync(one).AsTask(), "reading the backend's greeting");
            Assert.True(read == 1, "the greeting ends with a newline before the stream ends");
            if (one[0] == '\n') break;
            line.Add(one[0]);
        }
        if (close) client.Shutdown(SocketShutdown.Send);
        return Encoding.ASCII.GetString(line.ToArray());
    }

    private static async Task<string> EchoAsync(Socket client, string text)
    {
        using var stream = new NetworkStream(client, ownsSocket: false);
        var bytes = Encoding.ASCII.GetBytes(text);
        await Within(stream.WriteAsync(bytes).AsTask(), "sending to the echo");
        var back = new byte[bytes.Length];
        await Within(stream.ReadExactlyAsync(back).AsTask(), "reading the echo");
        return Encoding.ASCII.GetString(back);
    }

    /// <summary>The peer ended the connection: a read sees the end of the stream or a reset.</summary>
    private static async Task AssertClosedAsync(Socket client, string phase)
    {
        try
        {
            var read = await Within(client.ReceiveAsync(new byte[1], SocketFlags.None), phase);
            Assert.Equal(0, read);
        }
        catch (SocketException e)
        {
            Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
        }
    }

    private static async Task Within(Task task, string phase)
    {
        try { await task.WaitAsync(Bound); }
        catch (TimeoutException) { throw new TimeoutException($"timed out after {Bound.TotalSeconds} s: {phase}"); }
    }

    private static async Task<T> Within<T>(Task<T> task, string phase)
    {
        try { return await task.WaitAsync(Bound); }
        catch (TimeoutException) { throw new TimeoutException($"timed out after {Bound.TotalSeconds} s: {phase}"); }
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A loopback port with nothing listening: a dial is refused at once.</summary>
    private static IPEndPoint DeadEndpoint()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!;
    }
}

/// <summary>What a <see cref="Backend"/> does with each connection.</summary>
internal static class Serve
{
    /// <summary>Sends <paramref name="name"/> and a newline, then echoes until the client's end, then ends too.</summary>
    public static Func<Socket, Task> Greet(string name) => async socket =>
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(name + "\n"), SocketFlags.None);
        await Echo(socket);
    };

    /// <summary>Echoes every byte as it comes; at the client's end, ends its own side.</summary>
    public static async Task Echo(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.CopyToAsync(stream);
        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Reads until the client's end, then sends everything back and ends: works only if the end got through.</summary>
    public static async Task ReplyAfterEnd(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = new MemoryStream();
        await stream.CopyToAsync(request);
        await stream.WriteAsync(request.ToArray());
        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Sends <paramref name="words"/>, ends its sending side, then reports all it receives until the client's end.</summary>
    public static Func<Socket, Task> SpeakFirstThenListen(string words, TaskCompletionSource<string> heard) => async socket =>
    {
        try
        {
            // The stream first: NetworkStream refuses a socket that has shut down a side.
            using var stream = new NetworkStream(socket, ownsSocket: false);
            await socket.SendAsync(Encoding.ASCII.GetBytes(words), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            var received = new MemoryStream();
            await stream.CopyToAsync(received);
            heard.TrySetResult(Encoding.ASCII.GetString(received.ToArray()));
        }
        catch (Exception e)
        {
            heard.TrySetException(e); // the test then fails with the reason, not a timeout
            throw;
        }
    };
}

/// <summary>A "pod": a listener on 127.0.0.1 that serves each accepted connection with one behaviour.</summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<Socket, Task> _serve;
    private readonly ConcurrentBag<Socket> _accepted = [];
    private readonly ConcurrentBag<Task> _serving = [];
    private readonly Task _acceptLoop;
    private int _ended;

    private Backend(Socket listener, Func<Socket, Task> serve)
    {
        _listener = listener;
        _serve = serve;
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Connections whose serving has ended (normally or because the peer reset them).</summary>
    public int Ended => Volatile.Read(ref _ended);

    public static Backend Start(Func<Socket, Task> serve)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        return new Backend(listener, serve);
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try { socket = await _listener.AcceptAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            _accepted.Add(socket);
            _serving.Add(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try { await _serve(socket); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException) { }
        finally
        {
            socket.Dispose();
            Interlocked.Increment(ref _ended);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        foreach (var socket in _accepted) socket.Dispose();
        await Task.WhenAll(_serving.Append(_acceptLoop)).WaitAsync(TimeSpan.FromSeconds(10));
    }
}

/// <summary>
/// An endpoint whose dials hang: a listener with a backlog of 0 whose one queued connection is never accepted, so
/// Linux drops further SYNs (the accept queue is full) and a connect neither succeeds nor is refused.
/// </summary>
internal sealed class BlackHole : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Socket _filler;

    private BlackHole(Socket listener, Socket filler)
    {
        _listener = listener;
        _filler = filler;
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public static BlackHole Start()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        filler.Connect(listener.LocalEndPoint!);
        return new BlackHole(listener, filler);
    }

    public ValueTask DisposeAsync()
    {
        _filler.Dispose();
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Keeps what the relay logs, to assert on and to show when a test fails.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<(EventId Id, string Message)> _entries = new();

    public int Count(int eventId) => _entries.Count(e => e.Id.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((eventId, $"{logLevel} {eventId.Id}: {formatter(state, exception)}"));

    public override string ToString() => string.Join("\n", _entries.Select(e => e.Message));
}
