using System.CommandLine;
using Navarch.ApiServer;

namespace Navarch.Commands;

/// <summary><c>--enable-admission-plugins</c> and <c>--disable-admission-plugins</c>: comma-separated upstream plugin names.</summary>
public sealed class AdmissionFlags
{
    public Option<string> Enable { get; } = new("--enable-admission-plugins")
    {
        Description = "Admission plugins to run besides the defaults (NamespaceLifecycle, ServiceAccount, NodeRestriction, PodSecurity, CertificateApproval, CertificateSigning), comma-separated",
        DefaultValueFactory = _ => "",
    };

    public Option<string> Disable { get; } = new("--disable-admission-plugins")
    {
        Description = "Admission plugins not to run, even if on by default, comma-separated",
        DefaultValueFactory = _ => "",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Enable);
        command.Options.Add(Disable);
    }

    public void Apply(ParseResult result, ApiServerOptions options)
    {
        options.EnableAdmissionPlugins = Split(result.GetValue(Enable));
        options.DisableAdmissionPlugins = Split(result.GetValue(Disable));
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
