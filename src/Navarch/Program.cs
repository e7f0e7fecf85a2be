using System.CommandLine;
using Navarch.Agent.Command;
using Navarch.Commands;

var root = new RootCommand("Navarch: a small Kubernetes-compatible container orchestrator");
root.Subcommands.Add(ServerCommand.Create());
root.Subcommands.Add(KubeconfigCommand.Create());
root.Subcommands.Add(StandaloneCommands.ControllerManager());
root.Subcommands.Add(StandaloneCommands.Scheduler());
root.Subcommands.Add(ImageCommand.Create());
root.Subcommands.Add(AgentCommand.Create());
root.Subcommands.Add(HollowNodesCommand.Create());
root.Subcommands.Add(UpCommand.Create());
root.Subcommands.Add(DownCommand.Create());
root.Subcommands.Add(UpCommand.CreateForwarder());
return await root.Parse(args).InvokeAsync();
