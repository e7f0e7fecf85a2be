using System.Net;

namespace Navarch.ApiServer.Kubelet;

/// <summary>The agent a request goes to: its node's name, the address and port the node's status names.</summary>
public sealed record AgentTarget(string NodeName, IPAddress Address, int Port)
{
    /// <summary>Base URL, e.g. <c>https://192.168.0.201:10250</c>.</summary>
    public string Url => $"https://{(Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString())}:{Port}";
}
