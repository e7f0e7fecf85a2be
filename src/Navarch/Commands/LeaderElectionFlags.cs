using System.CommandLine;
using Navarch.Agent.Pods;
using Navarch.Client.LeaderElection;

namespace Navarch.Commands;

/// <summary>
/// Upstream's leader-election flags of kube-controller-manager and kube-scheduler: <c>--leader-elect</c> and its lease
/// duration, renew deadline and retry period as Go durations (<c>10s</c>, <c>1.5s</c>), checked as upstream checks them.
/// </summary>
public sealed class LeaderElectionFlags
{
    public Option<bool?> LeaderElect { get; } = new("--leader-elect")
    {
        Description = "Act only while holding a lease in kube-system, so one of several instances acts at a time (default: on when several can run)",
    };

    public Option<string> LeaseDuration { get; } = new("--leader-elect-lease-duration")
    {
        Description = "How long a standby waits after the leader's last renewal before taking the lease",
        DefaultValueFactory = _ => GoDuration.Format(LeaderElectionConfig.DefaultLeaseDuration),
    };

    public Option<string> RenewDeadline { get; } = new("--leader-elect-renew-deadline")
    {
        Description = "How long the leader tries to renew before it stops acting; less than the lease duration",
        DefaultValueFactory = _ => GoDuration.Format(LeaderElectionConfig.DefaultRenewDeadline),
    };

    public Option<string> RetryPeriod { get; } = new("--leader-elect-retry-period")
    {
        Description = "Time between attempts to acquire or renew the lease",
        DefaultValueFactory = _ => GoDuration.Format(LeaderElectionConfig.DefaultRetryPeriod),
    };

    public void AddTo(Command command)
    {
        command.Options.Add(LeaderElect);
        command.Options.Add(LeaseDuration);
        command.Options.Add(RenewDeadline);
        command.Options.Add(RetryPeriod);
    }

    /// <summary>
    /// The election's timing when <c>--leader-elect</c> (or, when not given, <paramref name="electByDefault"/>) says to elect;
    /// null otherwise. Throws <see cref="ArgumentException"/> with upstream's words for a bad duration or combination.
    /// </summary>
    public LeaderElectionConfig? Config(ParseResult result, bool electByDefault)
    {
        if (!(result.GetValue(LeaderElect) ?? electByDefault)) return null; // upstream checks the timing only when electing
        var config = new LeaderElectionConfig(LeaderElectionConfig.NewIdentity(),
            Duration(result, LeaseDuration), Duration(result, RenewDeadline), Duration(result, RetryPeriod));
        config.Validate();
        return config;
    }

    private static TimeSpan Duration(ParseResult result, Option<string> option)
    {
        var text = result.GetValue(option)!;
        try
        {
            return GoDuration.Parse(text);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"invalid argument \"{text}\" for \"{option.Name}\" flag: time: invalid duration \"{text}\"");
        }
    }
}
