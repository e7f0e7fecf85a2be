using System.CommandLine;
using Navarch.Client.LeaderElection;

namespace Navarch.Commands;

/// <summary><c>navarch controller-manager</c> and <c>navarch scheduler</c>: one loop set alone, against any API server.</summary>
public static class StandaloneCommands
{
    public static Command ControllerManager()
    {
        var server = ServerFlag();
        var flags = new ControlPlaneFlags();
        var election = new LeaderElectionFlags();
        var command = new Command("controller-manager", "Run the control loops against an API server") { server };
        flags.AddTo(command);
        election.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            var options = flags.ControllerOptions(result);
            LeaderElectionConfig? elect;
            try
            {
                options.Validate();
                elect = election.Config(result, electByDefault: true);
            }
            catch (ArgumentException e) { Console.Error.WriteLine($"navarch controller-manager: {e.Message}"); return 2; }
            using var loggers = ControlPlaneFlags.Loggers();
            return await RunAsync("controller-manager", () => ControlPlaneFlags.RunControllerManagerAsync(result.GetValue(server)!, options, loggers, elect, ct), ct);
        });
        return command;
    }

    public static Command Scheduler()
    {
        var server = ServerFlag();
        var election = new LeaderElectionFlags();
        var command = new Command("scheduler", "Run the scheduler against an API server") { server };
        election.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            LeaderElectionConfig? elect;
            try { elect = election.Config(result, electByDefault: true); }
            catch (ArgumentException e) { Console.Error.WriteLine($"navarch scheduler: {e.Message}"); return 2; }
            using var loggers = ControlPlaneFlags.Loggers();
            return await RunAsync("scheduler", () => ControlPlaneFlags.RunSchedulerAsync(result.GetValue(server)!, loggers, elect, ct), ct);
        });
        return command;
    }

    private static Option<string> ServerFlag() =>
        new("--server") { Description = "URL of the API server", DefaultValueFactory = _ => "http://127.0.0.1:8080" };

    private static async Task<int> RunAsync(string name, Func<Task> run, CancellationToken ct)
    {
        try
        {
            await run();
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"navarch {name}: {e.Message}");
            return 1;
        }
    }
}
