namespace Navarch.Agent.Server.Auth;

/// <summary>Who sent a request to the agent's server: the user and groups its client certificate or token stands for.</summary>
public sealed record AgentUser(string Name, IReadOnlyList<string> Groups, string Uid = "")
{
    public static AgentUser Anonymous { get; } = new("system:anonymous", ["system:unauthenticated"]);
}
