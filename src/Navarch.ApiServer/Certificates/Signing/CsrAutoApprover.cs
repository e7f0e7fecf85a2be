using System.Net;
using k8s.Models;
using Navarch.ApiServer.Authentication;
using Navarch.ApiServer.Authorization;

namespace Navarch.ApiServer.Certificates.Signing;

/// <summary>
/// Approves, without a person, the CSRs that only confirm what the requester already is, as upstream's csrapproving
/// controller and kubeadm's bindings do:
/// <list type="bullet">
/// <item>a node's client certificate (<c>kube-apiserver-client-kubelet</c>) requested by someone RBAC allows to
/// create <c>certificatesigningrequests/nodeclient</c> (bootstrap-token holders, through kubeadm's
/// <c>kubeadm:node-autoapprove-bootstrap</c>), or by that very node renewing it (<c>selfnodeclient</c>);</item>
/// <item>a node's serving certificate (<c>kubelet-serving</c>) requested by that node for exactly its own name and
/// addresses as its Node object lists them, or by <c>system:masters</c> (who could approve it anyway). Upstream
/// leaves these to a person; Navarch approves them because the API server checks the names it signs, and a node never
/// gets a loopback address approved by itself (it could aim the API server at the server's own machine).</item>
/// </list>
/// Everything else waits for <c>kubectl certificate approve</c>.
/// </summary>
public sealed class CsrAutoApprover(IAuthorizer authorizer, Func<string, V1Node?> nodes)
{
    /// <summary>The approval message, or null to leave the request pending.</summary>
    public string? Decide(V1CertificateSigningRequest csr, CsrContent content)
    {
        var spec = csr.Spec;
        var requester = new UserInfo(spec.Username ?? "", spec.Groups?.ToList() ?? [], spec.Uid ?? "");
        if (!content.IsNodeSubject || content.HasOtherNames) return null;
        switch (spec.SignerName)
        {
            case CsrSigner.KubeletClient:
                if (content.DnsNames.Count > 0 || content.Addresses.Count > 0 || !content.Usages.Contains("client auth")
                    || content.Usages.Any(u => u is not ("digital signature" or "key encipherment" or "client auth")))
                    return null;
                if (requester.Name == content.CommonName && Allowed(requester, "selfnodeclient"))
                    return "Auto approving self kubelet client certificate after SubjectAccessReview.";
                return Allowed(requester, "nodeclient") ? "Auto approving kubelet client certificate after SubjectAccessReview." : null;
            case CsrSigner.KubeletServing:
                if (!content.Usages.Contains("server auth") || content.Usages.Any(u => u is not ("digital signature" or "key encipherment" or "server auth")))
                    return null;
                var masters = requester.InGroup(UserInfo.Masters);
                var self = requester.Name == content.CommonName && requester.InGroup(CsrContent.NodesGroup);
                if (!masters && !self) return null;
                if (nodes(content.NodeName!) is not { } node) return null;
                var addresses = (node.Status?.Addresses ?? []).Where(a => a.Type is "InternalIP" or "ExternalIP")
                    .Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null).OfType<IPAddress>().ToHashSet();
                if (content.Addresses.Count == 0 || !content.Addresses.All(addresses.Contains)) return null;
                if (content.DnsNames.Any(d => !string.Equals(d, content.NodeName, StringComparison.OrdinalIgnoreCase))) return null;
                if (!masters && content.Addresses.Any(ip => IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))) return null;
                return "Auto approving kubelet serving certificate: its names are the node's own name and addresses.";
            default:
                return null;
        }
    }

    private bool Allowed(UserInfo user, string subresource) =>
        authorizer.Authorize(new RequestAttributes(user, "create", true, "", "certificates.k8s.io", "v1", "certificatesigningrequests", subresource), out _) == Decision.Allow;
}
