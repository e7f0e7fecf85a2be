using System.CommandLine;
using Navarch.Agent.Command;
using Navarch.Commands;

var root = new RootCommand("Navarch: a small Kubernetes-compatible container orchestrator");
var server = ServerCommand.Create();
root.Subcommands.Add(server);
root.Subcommands.Add(StandaloneCommands.ControllerManager());
root.Subcommands.Add(StandaloneCommands.Scheduler());
root.Subcommands.Add(ImageCommand.Create());
root.Subcommands.Add(AgentCommand.Create());
root.Subcommands.Add(HollowNodesCommand.Create());
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(DownCommand.Create());
root.Subcommands.Add(UpCommand.CreateForwarder());
var parsed = root.Parse(args);
var invocation = new InvocationConfiguration();
if (parsed.CommandResult.Command == server) invocation.ProcessTerminationTimeout = ServerCommand.ProcessTerminationTimeout;
return await parsed.InvokeAsync(invocation);
