using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Navarch.Proxy.Iptables;

/// <summary>
/// <see cref="IIptables"/> over the iptables binaries found on PATH (Debian's iptables 1.8.9, nf_tables backend):
/// <c>iptables-restore --noflush -w 5</c> with the rules on stdin, <c>iptables -w 5 -t T -C/-I/-A/-D CHAIN rule...</c>
/// and <c>iptables-save -t T</c>. This is the only code in Navarch that runs them.
/// <para>
/// They act on the network namespace the process runs in. The node agent passes no prefix: the lab starts each agent
/// inside its node's namespace, so the rules land in that node's tables. Tests pass a prefix such as
/// <c>["nsenter", "--net=/run/netns/X"]</c> so that nothing ever runs in the root namespace.
/// </para>
/// <para>
/// Every call is one process, started without a shell and killed when it outlives the timeout. A failure throws
/// <see cref="IptablesException"/>. <see cref="EnsureRuleAsync"/> checks then inserts, so two writers of the same
/// rule at once may both insert it; the proxy is the only writer of its rules.
/// </para>
/// </summary>
public sealed partial class IptablesCli : IIptables
{
    /// <summary>How long one command may run before it is killed.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    // Seconds to wait for the xtables lock: a CNI plugin adding hostport rules may hold it for a moment.
    private const string LockWaitSeconds = "5";

    // iptables -C exits 1 when the rule is absent (also when its chain is); 2 is a usage error, 3 a kernel
    // incompatibility, 4 a resource problem (iptables(8), DIAGNOSTICS).
    private const int RuleAbsentExitCode = 1;

    // nsenter (like env) exits 127 when the program it should exec does not exist.
    private const int CommandNotFoundExitCode = 127;

    // A rule that -C keeps finding after -D would otherwise loop forever; nobody adds a rule this many times.
    private const int MaxDuplicateDeletes = 100;

    private const int ENOENT = 2;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly IReadOnlyList<string> _prefix;
    private readonly TimeSpan _timeout;
    private readonly string _iptables;
    private readonly string _restore;
    private readonly string _save;

    /// <summary>
    /// Runs the iptables binaries of PATH, each behind <paramref name="prefix"/> when given (a command that runs its
    /// arguments elsewhere, e.g. <c>["nsenter", "--net=/run/netns/X"]</c>); null or empty runs them directly.
    /// </summary>
    public IptablesCli(IReadOnlyList<string>? prefix = null)
        : this(prefix, DefaultTimeout)
    {
    }

    /// <summary>Like the public constructor with another timeout or other binaries (tests: a missing binary, a hang).</summary>
    internal IptablesCli(
        IReadOnlyList<string>? prefix,
        TimeSpan timeout,
        string iptables = "iptables",
        string restore = "iptables-restore",
        string save = "iptables-save")
    {
        _prefix = prefix?.ToArray() ?? [];
        _timeout = timeout;
        _iptables = iptables;
        _restore = restore;
        _save = save;
    }

    /// <inheritdoc />
    /// <exception cref="IptablesException">iptables-restore rejected the input (nothing was applied; the message names
    /// the line it reported), or it could not run.</exception>
    public async Task RestoreAsync(string rules, CancellationToken ct)
    {
        var result = await RunAsync(_restore, ["--noflush", "-w", LockWaitSeconds], rules, ct);
        if (result.ExitCode != 0) throw RestoreFailed(result, rules);
    }

    /// <inheritdoc />
    /// <remarks>A rule whose chain does not exist fails at the insert with iptables' "No chain/target/match by that name".</remarks>
    public async Task EnsureRuleAsync(string table, string chain, IReadOnlyList<string> rule, bool prepend, CancellationToken ct)
    {
        if (await RuleExistsAsync(table, chain, rule, ct)) return;
        var insert = prepend ? RuleCommand(table, "-I", chain, ["1", .. rule]) : RuleCommand(table, "-A", chain, rule);
        await RunCheckedAsync(_iptables, insert, ct);
    }

    /// <inheritdoc />
    /// <remarks>Deletes every copy of the rule; an absent rule or chain is fine.</remarks>
    public async Task DeleteRuleAsync(string table, string chain, IReadOnlyList<string> rule, CancellationToken ct)
    {
        var delete = RuleCommand(table, "-D", chain, rule);
        for (var deleted = 0; await RuleExistsAsync(table, chain, rule, ct); deleted++)
        {
            if (deleted == MaxDuplicateDeletes)
            {
                var command = Describe([.. _prefix, _iptables, .. delete]);
                throw new IptablesException($"{command}: -C still finds the rule after {deleted} deletes", command);
            }
            await RunCheckedAsync(_iptables, delete, ct);
        }
    }

    /// <inheritdoc />
    public Task<string> SaveAsync(string table, CancellationToken ct) => RunCheckedAsync(_save, ["-t", table], ct);

    private async Task<bool> RuleExistsAsync(string table, string chain, IReadOnlyList<string> rule, CancellationToken ct)
    {
        var result = await RunAsync(_iptables, RuleCommand(table, "-C", chain, rule), stdin: null, ct);
        if (result.ExitCode == 0) return true;
        // The prefix (nsenter) also exits 1 when it cannot enter the namespace; that is an error, not an absent rule.
        if (result.ExitCode == RuleAbsentExitCode && !WrittenByPrefix(result.Stderr)) return false;
        throw Failed(result);
    }

    private static string[] RuleCommand(string table, string operation, string chain, IReadOnlyList<string> rule) =>
        ["-w", LockWaitSeconds, "-t", table, operation, chain, .. rule];

    private bool WrittenByPrefix(string stderr) =>
        _prefix.Count > 0 && stderr.StartsWith(Path.GetFileName(_prefix[0]) + ":", StringComparison.Ordinal);


    private async Task<string> RunCheckedAsync(string binary, IReadOnlyList<string> args, CancellationToken ct)
    {
        var result = await RunAsync(binary, args, stdin: null, ct);
        if (result.ExitCode != 0) throw Failed(result);
        return result.Stdout;
    }

    /// <summary>Runs one command to its exit; throws only when it cannot start or outlives the timeout.</summary>
    private async Task<CommandResult> RunAsync(string binary, IReadOnlyList<string> args, string? stdin, CancellationToken ct)
    {
        string[] argv = [.. _prefix, binary, .. args];
        var command = Describe(argv);
        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // A byte-order mark would make iptables-restore reject its first line.
            StandardInputEncoding = Utf8NoBom,
        };
        foreach (var arg in argv.Skip(1)) info.ArgumentList.Add(arg);

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new IptablesException($"{command}: could not start {argv[0]}", command);
        }
        catch (Win32Exception e) when (e.NativeErrorCode == ENOENT)
        {
            throw new IptablesException(NotFoundMessage(argv[0]), command, inner: e);
        }
        catch (Win32Exception e)
        {
            throw new IptablesException($"cannot run {argv[0]}: {e.Message}", command, inner: e);
        }

        using (process)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(_timeout);
            // Read both pipes from the start so that a full pipe never blocks the process; killing it closes them.
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await WriteInputAsync(process, stdin, deadline.Token);
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { /* it exited meanwhile */ }
                if (ct.IsCancellationRequested) throw;
                throw new IptablesException($"{command} timed out after {_timeout.TotalSeconds:0.###} s and was killed", command);
            }

            var result = new CommandResult(command, process.ExitCode, await stdout, await stderr);
            if (result.ExitCode == CommandNotFoundExitCode && _prefix.Count > 0)
                throw new IptablesException($"{NotFoundMessage(binary)} ({Condense(result.Stderr)})", command, result.ExitCode);
            return result;
        }
    }

    private static async Task WriteInputAsync(Process process, string? stdin, CancellationToken ct)
    {
        try
        {
            if (stdin is not null) await process.StandardInput.WriteAsync(stdin.AsMemory(), ct);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process quit before reading everything (a broken pipe); its exit code and stderr say why.
        }
    }

    private string NotFoundMessage(string program) =>
        program == _iptables || program == _restore || program == _save
            ? $"{program} not found: install the iptables package"
            : $"{program} not found on PATH";

    private static IptablesException Failed(CommandResult result) =>
        new($"{result.Command} failed with exit code {result.ExitCode}: {Condense(result.Stderr)}", result.Command, result.ExitCode);

    /// <summary>Names the input line iptables-restore reported ("Error occurred at line: N" or "line N: ...").</summary>
    private static IptablesException RestoreFailed(CommandResult result, string input)
    {
        var message = $"{result.Command} failed with exit code {result.ExitCode}: {Condense(result.Stderr)}";
        var match = RestoreLineNumber().Match(result.Stderr);
        if (!match.Success) return new IptablesException(message, result.Command, result.ExitCode);

        var lineNumber = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var lines = input.Split('\n');
        if (lineNumber >= 1 && lineNumber <= lines.Length)
            message += $" (input line {lineNumber}: {lines[lineNumber - 1].TrimEnd('\r')})";
        return new IptablesException(message, result.Command, result.ExitCode, lineNumber);
    }

    /// <summary>Stderr on one line, without the "Try `iptables -h'" advice.</summary>
    private static string Condense(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith("Try `", StringComparison.Ordinal));
        var text = string.Join(' ', lines);
        return text.Length > 0 ? text : "no error output";
    }

    private static string Describe(IEnumerable<string> argv) =>
        string.Join(' ', argv.Select(arg => arg.Length == 0 || arg.Any(char.IsWhiteSpace) ? $"\"{arg}\"" : arg));

    [GeneratedRegex(@"(?:Error occurred at line: |line )(\d+)")]
    private static partial Regex RestoreLineNumber();

    private sealed record CommandResult(string Command, int ExitCode, string Stdout, string Stderr);
}
