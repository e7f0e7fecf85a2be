namespace Navarch.Streaming;

/// <summary>What a stream of a SPDY remote command carries (upstream's <c>streamType</c> header values).</summary>
public enum ExecStreamRole
{
    Error,
    Stdin,
    Stdout,
    Stderr,
    Resize,
}

/// <summary>The streams of a SPDY remote command (exec, attach) and the headers that name them.</summary>
public static class ExecStreams
{
    /// <summary>The SYN_STREAM header naming a stream's role (SPDY lower-cases it on the wire).</summary>
    public const string StreamTypeHeader = "streamtype";

    /// <summary>
    /// The streams a client opens, in order: upstream's remotecommand (v2.go createStreams, which v3.go and v4.go
    /// extend) creates error, then stdin if asked, stdout if asked, stderr if asked and no terminal, then (v3 and v4)
    /// resize if a terminal; each waits for the SYN_REPLY before the next, so the order is fixed.
    /// </summary>
    public static IReadOnlyList<ExecStreamRole> Expected(string protocol, bool stdin, bool stdout, bool stderr, bool tty)
    {
        var roles = new List<ExecStreamRole> { ExecStreamRole.Error };
        if (stdin) roles.Add(ExecStreamRole.Stdin);
        if (stdout) roles.Add(ExecStreamRole.Stdout);
        if (stderr && !tty) roles.Add(ExecStreamRole.Stderr);
        if (tty && protocol is RemoteCommand.V4 or RemoteCommand.V3) roles.Add(ExecStreamRole.Resize);
        return roles;
    }

    /// <summary>The <see cref="StreamTypeHeader"/> value of <paramref name="role"/>.</summary>
    public static string HeaderValue(ExecStreamRole role) => role switch
    {
        ExecStreamRole.Error => "error",
        ExecStreamRole.Stdin => "stdin",
        ExecStreamRole.Stdout => "stdout",
        ExecStreamRole.Stderr => "stderr",
        ExecStreamRole.Resize => "resize",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };
}
