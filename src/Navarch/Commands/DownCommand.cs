using System.CommandLine;
using Navarch.Lab;

namespace Navarch.Commands;

/// <summary><c>navarch down</c>: tears down the lab <c>navarch up</c> built, leaving the host as it was.</summary>
public static class DownCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Directory of the lab (as given to up)", DefaultValueFactory = _ => new LabOptions { SelfCommand = [] }.DataDir };
        var command = new Command("down", "Stop the lab's processes and delete its namespaces, links and data") { dataDir };
        command.SetAction(async (result, ct) =>
        {
            try
            {
                Prerequisites.RequireRoot("navarch down");
                var dir = Path.GetFullPath(result.GetValue(dataDir)!);
                var state = LabState.Load(dir);
                if (state is null)
                {
                    Console.Out.WriteLine($"navarch down: no lab to stop ({Path.Combine(dir, LabState.FileName)} does not exist)");
                    return 0;
                }
                var seconds = await new LabDown(state, m => Console.Error.WriteLine($"navarch down: {m}")).RunAsync(ct);
                Console.Out.WriteLine($"navarch down: the lab is gone ({state.Nodes.Count} nodes, {seconds:0.0} s); logs stay in {LabLayout.LogDir(dir)}");
                return 0;
            }
            catch (LabException e)
            {
                Console.Error.WriteLine($"navarch down: {e.Message.Split('\n')[0]}");
                return 1;
            }
        });
        return command;
    }
}
