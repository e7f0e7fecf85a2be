using Microsoft.Extensions.Hosting;

namespace Navarch.ApiServer.Hosting;

/// <summary>
/// Replaces the host's console lifetime, which would stop the web server on its own at SIGTERM or Ctrl+C: the
/// <c>navarch server</c> command owns the signals and stops the control loops before the API server they talk to.
/// </summary>
internal sealed class CommandLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
