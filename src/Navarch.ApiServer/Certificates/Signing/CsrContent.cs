using System.Net;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Navarch.Api.Kinds.CertificateSigningRequest;

namespace Navarch.ApiServer.Certificates.Signing;

/// <summary>What a CertificateSigningRequest asks for, read from its PEM: subject (CN, O), SANs, key and usages.</summary>
public sealed record CsrContent(
    CertificateRequest Request, string CommonName, IReadOnlyList<string> Organizations,
    IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses, bool HasOtherNames, IReadOnlyList<string> Usages)
{
    public const string NodeUserPrefix = "system:node:";
    public const string NodesGroup = "system:nodes";

    /// <summary>Null when the request is not a PEM CSR (validation refuses those before).</summary>
    public static CsrContent? Read(V1CertificateSigningRequest csr)
    {
        if (csr.Spec?.Request is not { } pem || CertificateSigningRequestValidator.Parse(pem) is not { } request) return null;
        var subject = request.SubjectName;
        var cn = subject.EnumerateRelativeDistinguishedNames().FirstOrDefault(r => r.GetSingleElementType().Value == "2.5.4.3")?.GetSingleElementValue() ?? "";
        var orgs = subject.EnumerateRelativeDistinguishedNames().Where(r => r.GetSingleElementType().Value == "2.5.4.10")
            .Select(r => r.GetSingleElementValue() ?? "").ToList();
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        var other = false;
        foreach (var ext in request.CertificateExtensions.Where(e => e.Oid?.Value == "2.5.29.17"))
        {
            var san = new X509SubjectAlternativeNameExtension(ext.RawData);
            dns.AddRange(san.EnumerateDnsNames());
            ips.AddRange(san.EnumerateIPAddresses());
            // Emails and URIs are neither: count every entry and compare.
            other |= CountEntries(ext.RawData) != dns.Count + ips.Count;
        }
        return new CsrContent(request, cn, orgs, dns, ips, other, csr.Spec.Usages?.ToList() ?? []);
    }

    /// <summary>The node a <c>system:node:NAME</c> subject names, or null.</summary>
    public string? NodeName => CommonName.StartsWith(NodeUserPrefix, StringComparison.Ordinal) && CommonName.Length > NodeUserPrefix.Length
        ? CommonName[NodeUserPrefix.Length..] : null;

    /// <summary>Whether the subject is exactly a node's: CN system:node:NAME and O system:nodes alone.</summary>
    public bool IsNodeSubject => NodeName is not null && Organizations is [NodesGroup];

    private static int CountEntries(byte[] der)
    {
        var reader = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        var count = 0;
        while (sequence.HasData) { sequence.ReadEncodedValue(); count++; }
        return count;
    }
}
