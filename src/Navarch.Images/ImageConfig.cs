namespace Navarch.Images;

/// <summary>
/// The runtime part of an image config (the <c>config</c> object of the OCI/Docker image config JSON).
/// Null or empty members are left out of the JSON.
/// </summary>
public sealed record ImageConfig
{
    /// <summary>The PATH Docker's official images set; added when <see cref="Env"/> has none.</summary>
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    public IReadOnlyList<string> Cmd { get; init; } = [];
    /// <summary>KEY=VALUE entries, in order.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    /// <summary>Ports as PORT/PROTO, e.g. <c>80/tcp</c>.</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];
    /// <summary>Signal the runtime sends to stop the container, e.g. <c>SIGQUIT</c>; null = SIGTERM.</summary>
    public string? StopSignal { get; init; }
    public string? User { get; init; }

    /// <summary>The environment with <see cref="DefaultPath"/> first unless PATH is given.</summary>
    public IReadOnlyList<string> EffectiveEnv =>
        Env.Any(e => e.StartsWith("PATH=", StringComparison.Ordinal)) ? Env : [DefaultPath, .. Env];

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad value (env without '=', port not PORT/PROTO).</summary>
    public void Validate()
    {
        foreach (var e in Env)
            if (e.IndexOf('=') <= 0) throw new ArgumentException($"--env {e}: expected KEY=VALUE");
        foreach (var p in ExposedPorts)
        {
            var parts = p.Split('/');
            if (parts.Length != 2 || !ushort.TryParse(parts[0], out var port) || port == 0 || parts[1] is not ("tcp" or "udp" or "sctp"))
                throw new ArgumentException($"--expose {p}: expected PORT/tcp, PORT/udp or PORT/sctp");
        }
    }
}
