using System.CommandLine;
using Navarch.ApiServer;
using Navarch.ApiServer.Certificates;

namespace Navarch.Commands;

/// <summary><c>navarch kubeconfig [--data-dir DIR]</c>: prints the admin kubeconfig the server wrote.</summary>
public static class KubeconfigCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Data directory of the server", DefaultValueFactory = _ => new ApiServerOptions().DataDir };
        var command = new Command("kubeconfig", "Print the admin kubeconfig of a server (written at its start)") { dataDir };
        command.SetAction(result =>
        {
            var path = Path.Combine(result.GetValue(dataDir)!, ClusterPki.AdminKubeconfigFile);
            try
            {
                Console.Out.Write(File.ReadAllText(path));
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"navarch kubeconfig: cannot read {path}: {e.Message} (has a server with a secure port started on this data directory?)");
                return 1;
            }
        });
        return command;
    }
}
