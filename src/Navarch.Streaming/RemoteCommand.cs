namespace Navarch.Streaming;

/// <summary>
/// The remote-command protocols (exec, attach). Over WebSocket (k8s.io/apimachinery wsstream) every binary message
/// starts with its channel byte; v4 puts a Status on the error channel, v5 adds a client-side "close this channel"
/// message. Over SPDY/3.1 the same version names pick the streams (<see cref="ExecStreams"/>).
/// </summary>
public static class RemoteCommand
{
    /// <summary>kubectl ≥ 1.30's protocol (WebSocket only).</summary>
    public const string V5 = "v5.channel.k8s.io";

    /// <summary>The previous protocol (Status on the error channel), over WebSocket and SPDY.</summary>
    public const string V4 = "v4.channel.k8s.io";

    /// <summary>SPDY's version that added the resize stream.</summary>
    public const string V3 = "v3.channel.k8s.io";

    /// <summary>Channel of the client's input.</summary>
    public const byte StdinChannel = 0;

    /// <summary>Channel of the command's standard output.</summary>
    public const byte StdoutChannel = 1;

    /// <summary>Channel of the command's standard error.</summary>
    public const byte StderrChannel = 2;

    /// <summary>Channel of the final Status.</summary>
    public const byte ErrorChannel = 3;

    /// <summary>Channel of terminal size changes.</summary>
    public const byte ResizeChannel = 4;

    /// <summary>v5: the client closes the channel named in the next byte.</summary>
    public const byte CloseChannel = 255;

    /// <summary>The WebSocket protocol to answer with: the first of the client's that this server speaks, or null.</summary>
    public static string? Choose(IEnumerable<string> requested) =>
        requested.Select(p => p.Trim()).FirstOrDefault(p => p is V5 or V4);
}
