using System.Net;
using System.Text;
using System.Text.Json;

namespace Navarch.Agent.Network;

/// <summary>
/// The node's CNI network configuration (a conflist in containerd's <c>conf_dir</c>): a <c>bridge</c> that is the pods'
/// gateway, <c>host-local</c> addresses from the node's pod CIDR, and <c>portmap</c> for host ports. This is the
/// configuration the lab measured to work (docs: PLATFORM.md, "The lab"); containerd sets up loopback itself and
/// picks up a new file without a restart.
/// </summary>
public static class CniConfig
{
    /// <summary>The conflist's file name; containerd takes the alphabetically first file of its conf_dir.</summary>
    public const string FileName = "10-navarch.conflist";

    /// <summary>Default network name (also the host-local IPAM directory name and the key of libcni's result cache).</summary>
    public const string DefaultNetworkName = "navarch";

    /// <summary>The bridge the pods attach to.</summary>
    public const string BridgeName = "cbr0";

    /// <summary>CNI spec version; Debian's plugins (1.1) speak up to 1.0.0.</summary>
    public const string CniVersion = "1.0.0";

    /// <summary>
    /// Renders the conflist for <paramref name="podCidr"/> (an IPv4 CIDR such as <c>10.244.1.0/24</c>).
    /// <paramref name="ipamDataDir"/> keeps host-local's address reservations somewhere of the agent's own instead of
    /// the host-wide <c>/var/lib/cni/networks</c>; null uses the plugin's default. Throws <see cref="ArgumentException"/>
    /// for a malformed CIDR or an empty name.
    /// </summary>
    public static string Render(string podCidr, string networkName = DefaultNetworkName, string? ipamDataDir = null)
    {
        var subnet = Normalize(podCidr);
        if (string.IsNullOrWhiteSpace(networkName)) throw new ArgumentException("the CNI network name must not be empty", nameof(networkName));

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("cniVersion", CniVersion);
            json.WriteString("name", networkName);
            json.WriteStartArray("plugins");

            json.WriteStartObject();
            json.WriteString("type", "bridge");
            json.WriteString("bridge", BridgeName);
            json.WriteBoolean("isGateway", true);
            // Pods talk to other nodes' pods with their own addresses (host-gw routes); no NAT on the way out.
            json.WriteBoolean("ipMasq", false);
            // A pod reaching a service that lands on itself comes back through the bridge port it left by.
            json.WriteBoolean("hairpinMode", true);
            json.WriteStartObject("ipam");
            json.WriteString("type", "host-local");
            json.WriteStartArray("ranges");
            json.WriteStartArray();
            json.WriteStartObject();
            json.WriteString("subnet", subnet);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndArray();
            // Without a default route pods cannot answer other nodes (PLATFORM.md).
            json.WriteStartArray("routes");
            json.WriteStartObject();
            json.WriteString("dst", "0.0.0.0/0");
            json.WriteEndObject();
            json.WriteEndArray();
            if (ipamDataDir is not null) json.WriteString("dataDir", ipamDataDir);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject();
            json.WriteString("type", "portmap");
            json.WriteStartObject("capabilities");
            json.WriteBoolean("portMappings", true);
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// Writes the conflist for <paramref name="podCidr"/> into <paramref name="confDir"/> (created if missing),
    /// atomically (a temporary file renamed over the old one, so containerd never reads half a file). Returns false
    /// without touching the file when it already holds exactly this configuration.
    /// </summary>
    public static bool Write(string confDir, string podCidr, string networkName = DefaultNetworkName, string? ipamDataDir = null)
    {
        var content = Render(podCidr, networkName, ipamDataDir);
        Directory.CreateDirectory(confDir);
        var path = Path.Combine(confDir, FileName);
        if (File.Exists(path) && File.ReadAllText(path) == content) return false;
        // The temporary name must not end in .conflist/.conf/.json, or containerd could load it mid-write.
        var temporary = Path.Combine(confDir, $".{FileName}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
        return true;
    }

    private static string Normalize(string podCidr)
    {
        // IPNetwork masks host bits away silently; a CIDR with host bits set is a typo worth refusing.
        if (!IPNetwork.TryParse(podCidr, out var network) || network.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !IPAddress.TryParse(podCidr.Split('/')[0], out var given) || !given.Equals(network.BaseAddress))
            throw new ArgumentException($"invalid pod CIDR \"{podCidr}\": want an IPv4 CIDR such as 10.244.1.0/24", nameof(podCidr));
        return network.ToString();
    }
}
