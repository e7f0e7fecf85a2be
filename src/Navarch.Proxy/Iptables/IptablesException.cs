namespace Navarch.Proxy.Iptables;

/// <summary>
/// An iptables command that failed, timed out or could not be started. The message names the command and carries
/// what iptables wrote to stderr; for <c>iptables-restore</c> also the input line it rejected.
/// </summary>
public sealed class IptablesException : Exception
{
    /// <summary>Creates the exception for <paramref name="command"/> (the command line as run, for the message).</summary>
    public IptablesException(string message, string command, int? exitCode = null, int? inputLineNumber = null, Exception? inner = null)
        : base(message, inner)
    {
        Command = command;
        ExitCode = exitCode;
        InputLineNumber = inputLineNumber;
    }

    /// <summary>The command line that failed, prefix included.</summary>
    public string Command { get; }

    /// <summary>Its exit code; null when it never ran to an exit (not found, timed out).</summary>
    public int? ExitCode { get; }

    /// <summary>For <c>iptables-restore</c>: the 1-based line of the input that it reported as the failing one.</summary>
    public int? InputLineNumber { get; }
}
