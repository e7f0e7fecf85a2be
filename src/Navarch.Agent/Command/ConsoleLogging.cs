using Microsoft.Extensions.Logging;

namespace Navarch.Agent.Command;

/// <summary>
/// Navarch's process log: warnings and errors, one line each, on standard error, certificate renewals and leadership changes (which of several
/// controller managers or schedulers acts, as upstream logs "successfully acquired lease"). Every command uses it; it lives here
/// because the agent, compiled on its own, cannot reach the CLI project.
/// </summary>
public static class ConsoleLogging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(b => b
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
        .SetMinimumLevel(LogLevel.Warning)
        .AddFilter("Navarch.LeaderElection", LogLevel.Information)
        .AddFilter("Navarch.Agent.Certificates", LogLevel.Information) // certificate renewals, a line each
        // ASP.NET Core starts an Activity and a log scope for every request while this category is enabled at any level;
        // it only logs request starts and ends (Information), which the servers never show.
        .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None));
}
