using Navarch.Agent.Command;

return await AgentCommand.CreateRoot().Parse(args).InvokeAsync();
