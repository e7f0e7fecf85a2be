using System.Text;
using Navarch.Cri;

namespace Navarch.Agent.Probes;

/// <summary>
/// The <c>exec</c> probe: runs the command in the container through the runtime (CRI ExecSync, which enforces the
/// timeout); exit code 0 passes, anything else fails with the command's output as the message.
/// </summary>
public sealed class ExecProbe(ICriRuntime runtime)
{
    /// <summary>Runs the probe once in <paramref name="target"/>'s container.</summary>
    public async Task<ProbeOutcome> RunAsync(ProbeTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var command = target.Probe.Exec!.Command ?? [];
        if (command.Count == 0) return ProbeOutcome.Error("exec probe has no command");
        try
        {
            var result = await runtime.ExecSyncAsync(target.ContainerId, command.ToArray(), timeout, cancellationToken).ConfigureAwait(false);
            var output = Encoding.UTF8.GetString(result.Stdout) + Encoding.UTF8.GetString(result.Stderr);
            return result.ExitCode == 0 ? ProbeOutcome.Success(output) : ProbeOutcome.Failure(output);
        }
        catch (RuntimeException e) when (e.Code == RuntimeErrorCode.DeadlineExceeded)
        {
            return ProbeOutcome.Failure($"command \"{string.Join(' ', command)}\" timed out");
        }
        catch (RuntimeException e)
        {
            return ProbeOutcome.Error(e.Message);
        }
    }
}
