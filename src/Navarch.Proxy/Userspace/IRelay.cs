namespace Navarch.Proxy.Userspace;

/// <summary>The relay of one service port in userspace mode: what the portal rules redirect to.</summary>
public interface IRelay : IAsyncDisposable
{
    /// <summary>The port the relay listens on.</summary>
    int Port { get; }
}
