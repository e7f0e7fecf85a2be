using System.CommandLine;
using System.Net;
using Navarch.Lab;

namespace Navarch.Commands;

/// <summary><c>navarch lab add-node|remove-node</c>: a machine joins or leaves the running lab that <c>navarch up</c> built.</summary>
public static class LabCommand
{
    public static Command Create()
    {
        var defaults = new LabOptions { SelfCommand = [] };
        var command = new Command("lab", "Change the running lab: add or remove an agent node");
        command.Subcommands.Add(AddNode(defaults));
        command.Subcommands.Add(RemoveNode(defaults));
        return command;
    }

    private static Command AddNode(LabOptions defaults)
    {
        var address = new Argument<string>("ADDRESS") { Description = "The new machine's address in the lab's network (e.g. 192.168.0.204); also its node name" };
        var dataDir = DataDir(defaults);
        var timeout = new Option<double>("--timeout-seconds") { Description = "How long to wait for the node to be Ready", DefaultValueFactory = _ => defaults.ReadyTimeout.TotalSeconds };
        var command = new Command("add-node", "Add a machine with containerd and an agent to the running lab, and wait until it is Ready") { address, dataDir, timeout };
        command.SetAction((result, ct) => RunAsync("add-node", result.GetValue(dataDir)!, TimeSpan.FromSeconds(result.GetValue(timeout)), async nodes =>
        {
            if (!IPAddress.TryParse(result.GetValue(address), out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                throw new LabException($"\"{result.GetValue(address)}\" is not an IPv4 address");
            var node = await nodes.AddAsync(ip, ct);
            return $"node {node.Name} joined the lab (pod subnet {node.PodCidr}); `navarch lab remove-node {node.Name}` removes it";
        }));
        return command;
    }

    private static Command RemoveNode(LabOptions defaults)
    {
        var name = new Argument<string>("NAME") { Description = "The node to remove (one that is not a master)" };
        var dataDir = DataDir(defaults);
        var command = new Command("remove-node", "Remove an agent node from the running lab: its machine, routes, Node object and pods") { name, dataDir };
        command.SetAction((result, ct) => RunAsync("remove-node", result.GetValue(dataDir)!, defaults.ReadyTimeout, async nodes =>
        {
            await nodes.RemoveAsync(result.GetValue(name)!, ct);
            return $"node {result.GetValue(name)} removed from the lab";
        }));
        return command;
    }

    private static Option<string> DataDir(LabOptions defaults) =>
        new("--data-dir") { Description = "Directory of the lab (as given to up)", DefaultValueFactory = _ => defaults.DataDir };

    private static async Task<int> RunAsync(string verb, string dataDir, TimeSpan readyTimeout, Func<LabNodes, Task<string>> change)
    {
        try
        {
            var dir = Path.GetFullPath(dataDir);
            var state = LabState.Load(dir) ?? throw new LabException($"no lab in {dir} ({LabState.FileName} does not exist): `navarch up` builds one");
            var options = new LabOptions { DataDir = dir, HostPort = state.HostPort, ReadyTimeout = readyTimeout, SelfCommand = UpCommand.SelfCommand() };
            Console.Out.WriteLine(await change(new LabNodes(state, options, m => Console.Error.WriteLine($"navarch lab {verb}: {m}"))));
            return 0;
        }
        catch (LabException e)
        {
            Console.Error.WriteLine($"navarch lab {verb}: {e.Message.Split('\n')[0]}");
            var rest = e.Message.IndexOf('\n');
            if (rest > 0) Console.Error.WriteLine(e.Message[(rest + 1)..]);
            return 1;
        }
    }
}
