namespace Navarch.ApiServer.Kubelet;

/// <summary>
/// How the API server calls node agents (logs, exec, attach, port-forward), with upstream's flag names:
/// <c>--kubelet-client-certificate</c>/<c>--kubelet-client-key</c> (default: one the cluster CA issues,
/// <c>apiserver-kubelet-client</c>), <c>--kubelet-certificate-authority</c> (default: the cluster CA, whenever the
/// server has one) and <c>--kubelet-insecure-skip-tls-verify</c> to dial without checking agents' certificates.
/// </summary>
public sealed class KubeletClientOptions
{
    public string? ClientCertificateFile { get; set; }
    public string? ClientKeyFile { get; set; }
    public string? CertificateAuthority { get; set; }
    public bool InsecureSkipTlsVerify { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad flag.</summary>
    public void Validate()
    {
        if ((ClientCertificateFile is null) != (ClientKeyFile is null))
            throw new ArgumentException("--kubelet-client-certificate and --kubelet-client-key go together");
        foreach (var (flag, file) in new[] { ("--kubelet-client-certificate", ClientCertificateFile), ("--kubelet-client-key", ClientKeyFile), ("--kubelet-certificate-authority", CertificateAuthority) })
            if (file is not null && !File.Exists(file)) throw new ArgumentException($"{flag}: {file} does not exist");
        if (InsecureSkipTlsVerify && CertificateAuthority is not null)
            throw new ArgumentException("--kubelet-insecure-skip-tls-verify and --kubelet-certificate-authority contradict each other");
    }
}
